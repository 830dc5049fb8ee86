"""Snapshots of live content rows and applying an approved snapshot back onto them.

Kept apart from the workflow rules (:mod:`kiosk.services.review`) because this is the only
code that writes the rows screens read; it never decides *whether* to write.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import PUBLISHED, Department, Guide, Material, Notice, TickerLine
from . import review_kinds
from .importer.sanitize import clean_html
from .search import guide_search_text

MODELS: dict[str, Any] = {"guide": Guide, "notice": Notice, "ticker": TickerLine}
GUIDE_SCALARS = (
    "name", "item_type", "basis", "conditions", "process", "legal_limit_days", "promised_limit_days",
    "case_type", "fee", "location", "window", "hours", "phone", "complaint_phone", "visits",
    "online", "online_url", "scope", "audience", "themes", "faq", "aliases",
)
MATERIAL_KEYS = ("name", "form", "copies", "necessity", "blank_form", "sample_form", "note")


def live_row(session: Session, object_type: str, key: str):
    if object_type in review_kinds.KINDS:
        return review_kinds.live_row(session, object_type, key)
    model = MODELS[object_type]
    stmt = select(model).where(model.code == key)
    if model is Guide:
        stmt = stmt.options(selectinload(Guide.materials), selectinload(Guide.department))
    return session.scalar(stmt)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def snapshot_of(row, object_type: str) -> dict[str, Any]:
    """The editable fields of a live row, in the snapshot format of the forms."""
    if object_type in review_kinds.KINDS:
        return review_kinds.snapshot_of(row, object_type)
    if object_type == "guide":
        snap = {"code": row.code, "department": row.department.code if row.department else ""}
        snap.update({k: getattr(row, k) for k in GUIDE_SCALARS})
        snap["materials"] = [{k: getattr(m, k) for k in MATERIAL_KEYS} for m in row.materials]
        snap["publish_from"] = snap["expire_at"] = None
        return snap
    if object_type == "notice":
        keys = ("code", "kind", "title", "body_html")
    else:
        keys = ("code", "text", "position", "groups")
    snap = {k: getattr(row, k) for k in keys}
    snap["publish_from"], snap["expire_at"] = _iso(row.publish_from), _iso(row.expire_at)
    return snap


def build_transient(session: Session, object_type: str, data: dict[str, Any]):
    """An unsaved model object carrying ``data`` (for previews): never added to the session."""
    if object_type in review_kinds.KINDS:
        return review_kinds.build_transient(session, object_type, data)
    if object_type == "guide":
        guide = Guide(code=data["code"], status=PUBLISHED)
        for k in GUIDE_SCALARS:
            setattr(guide, k, data.get(k))
        dept = session.scalar(select(Department).where(Department.code == data.get("department")))
        # set without backref events: the live department must not gain this transient guide
        set_committed_value(guide, "department", dept)
        set_committed_value(guide, "materials", [
            Material(position=i, **{k: m.get(k) for k in MATERIAL_KEYS})
            for i, m in enumerate(data.get("materials") or [], 1)])
        return guide
    if object_type == "notice":
        return Notice(code=data["code"], kind=data.get("kind"), title=data.get("title"),
                      body_html=clean_html(data.get("body_html") or ""), status=PUBLISHED)
    return TickerLine(code=data["code"], text=data.get("text"), status=PUBLISHED)


def apply(session: Session, object_type: str, data: dict[str, Any],
          publish_from: datetime | None, expire_at: datetime | None) -> Any:
    """Copy an approved snapshot onto the live row (creating it), status ``published``."""
    if object_type in review_kinds.KINDS:
        return review_kinds.apply(session, object_type, data)
    model = MODELS[object_type]
    dept = None
    if object_type == "guide":
        dept = session.scalar(select(Department).where(Department.code == data.get("department")))
        if dept is None:
            raise ValueError(f"没有编码为 {data.get('department')} 的部门")
    row = live_row(session, object_type, data["code"])
    if row is None:
        row = model(code=data["code"])
    if object_type == "guide":
        for k in GUIDE_SCALARS:
            setattr(row, k, data.get(k))
        row.department = dept
        row.materials = [Material(position=i, **{k: m.get(k) for k in MATERIAL_KEYS})
                         for i, m in enumerate(data.get("materials") or [], 1)]
        row.search_text = guide_search_text(row)
    elif object_type == "notice":
        row.kind, row.title = data.get("kind") or "notice", data.get("title") or ""
        row.body_html = clean_html(data.get("body_html") or "")
        row.publish_from, row.expire_at = publish_from, expire_at
    else:
        row.text, row.position = data.get("text") or "", data.get("position") or 0
        row.groups = list(data.get("groups") or [])
        row.publish_from, row.expire_at = publish_from, expire_at
    row.status = PUBLISHED
    session.add(row)
    session.flush()
    return row
