"""Public, read-only 一件事一次办 bundles: the list and one bundle with its member guides and
the one material list a citizen brings for all of them (the kiosk and phones read these)."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import ApiError
from ..extensions import db
from ..models import PUBLISHED, Bundle, BundleGuide, Guide
from ..services.review_attachments import public_links
from ..services.touch.catalogue import name_key
from . import bp
from .guides import guide_summary


def _published_members(bundle: Bundle) -> list[Guide]:
    """Member guides in the bundle's order; one that is not published (expired, withdrawn) is
    left out, with its materials, like everywhere else the public looks."""
    return [g for g in bundle.guides if g.status == PUBLISHED]


def bundle_summary(bundle: Bundle, guide_count: int | None = None) -> dict:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "promised_limit_days": bundle.promised_limit_days,
        "visits": bundle.visits,
        "window": bundle.window,
        "guide_count": len(_published_members(bundle)) if guide_count is None else guide_count,
    }


def merged_materials_with_forms(bundle: Bundle, members: list[Guide]) -> list[dict]:
    """``Bundle.merged_materials`` of the published members, each with the 空表 / 样表 URL of
    the first member guide whose material of that name has one (null otherwise)."""
    data_dir = current_app.config["DATA_DIR"]
    found: dict[str, dict[str, str]] = {}
    for guide in members:
        links = public_links(data_dir, guide.materials)
        for m in guide.materials:
            for key, url in links.get(m.id, {}).items():
                found.setdefault(m.name, {}).setdefault(key, url)
    return [
        {**entry, "blank_form_url": found.get(entry["name"], {}).get("blank_form"),
         "sample_form_url": found.get(entry["name"], {}).get("sample_form")}
        for entry in bundle.merged_materials(members)
    ]


def _members_loaded(*guide_options):
    return selectinload(Bundle.links).selectinload(BundleGuide.guide).options(*guide_options)


@bp.get("/bundles")
def list_bundles():
    """Published bundles in pinyin order of their names (as the kiosk lists them)."""
    bundles = db.session.scalars(
        select(Bundle).where(Bundle.status == PUBLISHED).options(_members_loaded())
    ).all()
    bundles = sorted(bundles, key=lambda b: (name_key(b.name), b.id))
    return jsonify({"count": len(bundles), "bundles": [bundle_summary(b) for b in bundles]})


@bp.get("/bundles/<code>")
def get_bundle(code: str):
    bundle = None
    if len(code) <= 64:
        bundle = db.session.scalar(
            select(Bundle).where(Bundle.code == code, Bundle.status == PUBLISHED).options(
                _members_loaded(selectinload(Guide.materials), selectinload(Guide.department)))
        )
    if bundle is None:
        raise ApiError(404, "not_found", f"一件事 {code} 不存在 (no such bundle)")
    members = _published_members(bundle)
    out = bundle_summary(bundle, len(members))
    out.update(guides=[guide_summary(g) for g in members],
               materials=merged_materials_with_forms(bundle, members))
    return jsonify(out)
