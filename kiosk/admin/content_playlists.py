"""Playlists (播放列表) in the panel: ordered content references with a duration each, edited
as versioned drafts and reviewed like the content they show. Only the approved version is the
live ``Playlist`` row, which is all the schedule editor (``schedule.py``, by name) and the
screens ever read.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Playlist, ScheduleEntry, ScreenGroup
from ..services import review, review_kinds
from . import bp, nav_item
from .auth import role_required
from .content import EDIT_ROLES, KindForm, edit_view, register_kind, tz
from .content_bundles import ordered_rows


def _read() -> dict[str, Any]:
    rows = ordered_rows("p", ("ref", "duration"), {"ref": "", "duration": str(review_kinds.DURATION_DEFAULT)})
    return {"item_rows": rows, "items": rows}


def _validate(raw: dict[str, Any]):
    return review_kinds.playlist_snapshot(raw, tz(), review_kinds.ref_labels(db.session))


def _values(snap: dict[str, Any]) -> dict[str, Any]:
    return {"item_rows": [{"ref": i.get("ref") or "", "duration": str(i.get("duration") or "")}
                          for i in snap.get("items") or []]}


def _blank() -> dict[str, Any]:
    return {"item_rows": [{"ref": "", "duration": str(review_kinds.DURATION_DEFAULT)}]}


def _context(values: dict[str, Any]) -> dict[str, Any]:
    return {"refs": review_kinds.ref_labels(db.session), "max_rows": review_kinds.MAX_ROWS,
            "duration_min": review_kinds.DURATION_MIN, "duration_max": review_kinds.DURATION_MAX}


register_kind("playlist", "admin.content_playlists", "admin/content_playlist_form.html",
              KindForm(_read, _validate, _values, _blank, _context))


@bp.get("/content/playlists")
@role_required(*EDIT_ROLES)
def content_playlists():
    rows = db.session.scalars(select(Playlist).options(selectinload(Playlist.items)).order_by(Playlist.name)).all()
    used: dict[int, list[str]] = {}
    for group in db.session.scalars(select(ScreenGroup).where(ScreenGroup.default_playlist_id.is_not(None))):
        used.setdefault(group.default_playlist_id, []).append(f"分组 {group.name} 默认")
    for entry in db.session.scalars(select(ScheduleEntry).order_by(ScheduleEntry.name)):
        used.setdefault(entry.playlist_id, []).append(f"排期 {entry.name}")
    pending = review.pending(db.session, "playlist")
    by_key: dict[str, list] = {}
    for v in pending:
        by_key.setdefault(v.object_key, []).append(v)
    live = {r.name for r in rows}
    new_items = [v for v in pending if v.kind == "create" and v.object_key not in live]
    return render_template("admin/content_playlists.html", rows=rows, used=used, pending=by_key,
                           new_items=new_items, states=review.STATE_LABELS)


@bp.route("/content/playlists/new", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_playlist_new():
    return edit_view("playlist", None)


@bp.route("/content/playlists/<code>/edit", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_playlist_edit(code: str):
    return edit_view("playlist", code)


nav_item("admin.content_playlists", "播放列表", EDIT_ROLES, order=24, prefix="admin.content_playlist")
