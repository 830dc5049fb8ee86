"""Public, read-only guide search and detail."""

from __future__ import annotations

from flask import current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import ApiError
from ..extensions import db
from ..guard.limits import search_limit
from ..models import PUBLISHED, Guide
from ..services.qr import guide_url
from ..services.review_attachments import public_links
from ..services.search import Hit, search, search_guides
from . import bp


def guide_summary(guide: Guide) -> dict:
    return {
        "id": guide.id,
        "code": guide.code,
        "name": guide.name,
        "department": guide.department.name,
        "item_type": guide.item_type,
        "case_type": guide.case_type,
        "online": guide.online,
        "themes": guide.themes,
        "url": guide_url(current_app.config["PUBLIC_BASE_URL"], guide.code),
    }


def form_urls(links: dict[int, dict[str, str]], material_id: int) -> dict[str, str | None]:
    """A material's 空表 / 样表 URLs (``/files/<name>``), null when it has none on this server."""
    files = links.get(material_id, {})
    return {"blank_form_url": files.get("blank_form"), "sample_form_url": files.get("sample_form")}


def guide_detail(guide: Guide) -> dict:
    links = public_links(current_app.config["DATA_DIR"], guide.materials)
    out = guide_summary(guide)
    out.update(
        basis=guide.basis,
        conditions=guide.conditions,
        materials=[
            {"name": m.name, "form": m.form, "copies": m.copies, "necessity": m.necessity,
             "note": m.note, **form_urls(links, m.id)}
            for m in guide.materials
        ],
        process=guide.process,
        legal_limit_days=guide.legal_limit_days,
        promised_limit_days=guide.promised_limit_days,
        fee=guide.fee,
        location=guide.location,
        window=guide.window,
        hours=guide.hours,
        phone=guide.phone,
        complaint_phone=guide.complaint_phone,
        visits=guide.visits,
        online_url=guide.online_url,
        scope=guide.scope,
        audience=guide.audience,
        faq=guide.faq,
        qr_svg_url=f"/g/{guide.code}/qr.svg",
    )
    return out


def query_args() -> tuple[str, int]:
    """``q`` and ``limit`` of a search request, or a 400 naming the one that is wrong."""
    q = (request.args.get("q") or "").strip()
    if len(q) > 100:
        raise ApiError(400, "invalid_query", "查询词最多 100 个字符 (query too long)", "q")
    try:
        limit = min(max(int(request.args.get("limit", 20)), 1), 100)
    except ValueError:
        raise ApiError(400, "invalid_limit", "limit 必须是整数 (limit must be an integer)", "limit") from None
    return q, limit


def hit_summary(hit: Hit) -> dict:
    """A search result as the list endpoints show it (the engine keeps these fields, so an
    answer needs no database round trip)."""
    out = {k: v for k, v in hit.summary.items() if k != "kind"}
    if hit.kind == "guide":
        out["url"] = guide_url(current_app.config["PUBLIC_BASE_URL"], hit.code)
    return out


@bp.get("/guides")
@search_limit()
def list_guides():
    q, limit = query_args()
    if q:
        return jsonify(_listing(q, [hit_summary(h) for h in search_guides(q, limit=limit)]))
    guides = db.session.scalars(
        select(Guide).where(Guide.status == PUBLISHED).order_by(Guide.name).limit(limit)
        .options(selectinload(Guide.department))
    ).all()
    return jsonify(_listing(q, [guide_summary(g) for g in guides]))


def _listing(q: str, guides: list[dict]) -> dict:
    return {"query": q, "count": len(guides), "guides": guides}


@bp.get("/search")
@search_limit()
def search_all():
    """Guides and 一件事 bundles for what a citizen typed, best first (the kiosk's search):
    ``results`` items carry ``kind`` (guide | bundle)."""
    q, limit = query_args()
    hits = search(q, limit=limit) if q else []
    results = [{"kind": h.kind, **hit_summary(h)} for h in hits]
    return jsonify({"query": q, "count": len(results), "results": results})


@bp.get("/guides/<int:guide_id>")
def get_guide(guide_id: int):
    guide = db.session.get(Guide, guide_id)
    if guide is None or guide.status != PUBLISHED:
        raise ApiError(404, "not_found", f"办事指南 {guide_id} 不存在 (no such guide)")
    return jsonify(guide_detail(guide))
