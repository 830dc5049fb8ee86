"""一件事 bundles in the panel: the guides a bundle joins (chosen by 实施编码, ordered) and
the merged material list computed from them, edited as versioned drafts like every kind.

Rows are added, moved and removed by submit buttons that only redraw the form (no
JavaScript, nothing typed is lost); :func:`ordered_rows` is shared with the playlist form.
"""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Bundle, BundleGuide, Guide
from ..services import review, review_kinds
from . import bp, nav_item
from .auth import role_required
from .content import EDIT_ROLES, KindForm, edit_view, register_kind, tz

MAX_FORM_ROWS = review_kinds.MAX_ROWS + 20  # a little over, so the limit's message can show


def ordered_rows(prefix: str, keys: tuple[str, ...], blank: dict[str, str]) -> list[dict[str, str]]:
    """The form's rows ``<prefix>-<i>-<key>`` in order, after the row button that was pressed
    (``<prefix>-add``, ``<prefix>-up-<i>``, ``<prefix>-down-<i>``, ``<prefix>-del-<i>``)."""
    try:
        count = max(0, min(int(request.form.get(f"{prefix}-count", "0")), MAX_FORM_ROWS))
    except ValueError:
        count = 0
    rows = [{k: request.form.get(f"{prefix}-{i}-{k}", "").strip() for k in keys} for i in range(count)]
    if request.form.get("action", "save") in ("save", "submit"):
        # left blank = not wanted; dropped before checking, so error numbers match the rows shown
        return [r for r in rows if any(r[k] != blank.get(k, "") for k in keys)]
    op, _, index = request.form.get("action", "").removeprefix(f"{prefix}-").partition("-")
    i = int(index) if index.isdigit() and int(index) < len(rows) else None
    if op == "add" and len(rows) < MAX_FORM_ROWS:
        rows.append(dict(blank))
    elif op == "del" and i is not None:
        rows.pop(i)
    elif op == "up" and i:
        rows[i - 1], rows[i] = rows[i], rows[i - 1]
    elif op == "down" and i is not None and i + 1 < len(rows):
        rows[i + 1], rows[i] = rows[i], rows[i + 1]
    return rows


def _read() -> dict[str, Any]:
    rows = ordered_rows("g", ("code",), {"code": ""})
    return {"guide_rows": rows, "guides": [r["code"] for r in rows]}


def _validate(raw: dict[str, Any]):
    return review_kinds.bundle_snapshot(raw, tz(), review_kinds.guide_names(db.session))


def _values(snap: dict[str, Any]) -> dict[str, Any]:
    return {"guide_rows": [{"code": c} for c in snap.get("guides") or []]}


def _blank() -> dict[str, Any]:
    return {"guide_rows": [{"code": ""}], "visits": "1"}


def _context(values: dict[str, Any]) -> dict[str, Any]:
    """Every guide to choose from, and the merged materials of the guides listed now."""
    guides = db.session.scalars(select(Guide).options(selectinload(Guide.department)).order_by(Guide.name)).all()
    codes = [(r.get("code") or "").split()[0] for r in values.get("guide_rows") or [] if (r.get("code") or "").split()]
    preview = review_kinds.build_transient(db.session, "bundle", {"code": "-", "guides": codes})
    return {"all_guides": guides, "guide_by_code": {g.code: g for g in guides},
            "merged": preview.merged_materials(), "max_rows": review_kinds.MAX_ROWS}


register_kind("bundle", "admin.content_bundles", "admin/content_bundle_form.html",
              KindForm(_read, _validate, _values, _blank, _context))


@bp.get("/content/bundles")
@role_required(*EDIT_ROLES)
def content_bundles():
    rows = db.session.scalars(select(Bundle).options(selectinload(Bundle.links).selectinload(BundleGuide.guide))
                              .order_by(Bundle.code)).all()
    pending = review.pending(db.session, "bundle")
    by_key: dict[str, list] = {}
    for v in pending:
        by_key.setdefault(v.object_key, []).append(v)
    live = {r.code for r in rows}
    new_items = [v for v in pending if v.kind == "create" and v.object_key not in live]
    return render_template("admin/content_bundles.html", rows=rows, pending=by_key, new_items=new_items,
                           states=review.STATE_LABELS)


@bp.route("/content/bundles/new", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_bundle_new():
    return edit_view("bundle", None)


@bp.route("/content/bundles/<code>/edit", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_bundle_edit(code: str):
    return edit_view("bundle", code)


nav_item("admin.content_bundles", "一件事", EDIT_ROLES, order=23, prefix="admin.content_bundle")
