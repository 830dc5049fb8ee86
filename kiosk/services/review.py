"""The review workflow (源头审核): nothing reaches a public screen before a second person approved it.

draft → submitted → approved (waiting for ``publish_from``) → published, or → rejected (with a
reason). Editors write and submit; reviewers and admins approve or reject, never their own
change. Approval copies the snapshot onto the live row in the caller's transaction; a future
``publish_from`` leaves the live row untouched until :func:`publish_due` (a scheduler job)
makes it live, and ``expire_at`` takes it off screens again. Rollback is a new draft with an old
snapshot, reviewed like any other change. Every transition writes an :class:`AuditLog` row.
Views call ``get_publisher(app).changed()`` after a transition that returns True.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import PUBLISHED, AuditLog, ContentVersion, Guide
from . import review_apply, review_kinds
from .review_apply import live_row, snapshot_of
from .review_kinds import BUNDLE_LABELS, PLAYLIST_LABELS
from .review_validate import GUIDE_LABELS, NOTICE_LABELS, TICKER_LABELS

log = logging.getLogger(__name__)
REVIEW_ROLES = frozenset({"reviewer", "admin"})
OPEN_STATES = ("draft", "submitted", "approved")
LABELS = {"guide": GUIDE_LABELS, "notice": NOTICE_LABELS, "ticker": TICKER_LABELS,
          "bundle": BUNDLE_LABELS, "playlist": PLAYLIST_LABELS}
TYPE_LABELS = {"guide": "办事指南", "notice": "通知公告", "ticker": "滚动字幕", "bundle": "一件事",
               "playlist": "播放列表"}
STATE_LABELS = {
    "draft": "草稿", "submitted": "待审核", "approved": "已通过，待生效", "rejected": "已退回",
    "published": "已发布", "superseded": "已作废",
}
KIND_LABELS = {"edit": "修改", "create": "新建", "rollback": "回滚"}


class ReviewError(Exception):
    """A transition that the rules refuse; ``message`` is for staff, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _audit(session: Session, actor: str, action: str, v: ContentVersion, before: Any, after: Any) -> None:
    session.add(AuditLog(actor=actor[:100], action=action, object_type=v.object_type,
                         object_id=v.object_key, before=before, after=after))


def _dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


# -- reading ---------------------------------------------------------------------------------
def versions(session: Session, object_type: str, key: str) -> list[ContentVersion]:
    return list(session.scalars(
        select(ContentVersion).where(ContentVersion.object_type == object_type,
                                     ContentVersion.object_key == key)
        .order_by(ContentVersion.number.desc())))


def get_version(session: Session, version_id: int) -> ContentVersion | None:
    return session.get(ContentVersion, version_id)


def open_draft(session: Session, object_type: str, key: str, author: str) -> ContentVersion | None:
    """The author's unsubmitted draft of this item, which the edit form keeps working on."""
    return session.scalar(
        select(ContentVersion).where(
            ContentVersion.object_type == object_type, ContentVersion.object_key == key,
            ContentVersion.author == author, ContentVersion.state == "draft")
        .order_by(ContentVersion.number.desc()))


def pending(session: Session, object_type: str | None = None) -> list[ContentVersion]:
    """Versions not yet live (drafts, waiting review, waiting ``publish_from``), newest first."""
    stmt = select(ContentVersion).where(ContentVersion.state.in_(OPEN_STATES))
    if object_type:
        stmt = stmt.where(ContentVersion.object_type == object_type)
    return list(session.scalars(stmt.order_by(ContentVersion.updated_at.desc())))


def queue(session: Session) -> list[ContentVersion]:
    """The review queue: submitted versions, oldest first (first come, first reviewed)."""
    return list(session.scalars(select(ContentVersion).where(ContentVersion.state == "submitted")
                                .order_by(ContentVersion.submitted_at, ContentVersion.id)))


def base_snapshot(session: Session, v: ContentVersion) -> dict[str, Any] | None:
    """What ``v`` changes: the live row as it is now (None for a new item)."""
    row = live_row(session, v.object_type, v.object_key)
    return snapshot_of(row, v.object_type) if row is not None else None


# -- diff --------------------------------------------------------------------------------------
def ref_names(session: Session, object_type: str) -> dict[str, str]:
    """Labels for the references a bundle or playlist diff shows (empty for other kinds):
    reviewers read 事项名称, not 31-character codes."""
    return review_kinds.ref_labels(session) if object_type in review_kinds.KINDS else {}


def _file_label(path: Any) -> str:
    """An attachment as the diff names it: a content hash is cut to 12 hex digits (enough to
    tell two files apart, short enough to read)."""
    name = Path(str(path)).name
    stem, dot, ext = name.rpartition(".")
    return f"{stem[:12]}….{ext}" if dot and len(stem) > 16 else name


def _material_line(i: int, m: Mapping[str, Any]) -> str:
    """One material as a reviewer reads it: every field, so a changed note or a replaced
    sample file shows in the diff (file names are random or content hashes, so a new file
    means a new name)."""
    files = "".join(f"，{label} {_file_label(m[k])}" for k, label in
                    (("blank_form", "空表"), ("sample_form", "样表")) if m.get(k))
    note = f"；备注：{m['note']}" if m.get("note") else ""
    return f"{i}. {m.get('name')}（{m.get('form')}，{m.get('copies')} 份，{m.get('necessity')}{files}）{note}"


def _show(key: str, value: Any, tz: tzinfo | None, names: Mapping[str, str] | None = None) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if key in ("publish_from", "expire_at"):
        dt = _dt(value)
        return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if tz and dt else str(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "materials":
        return "\n".join(_material_line(i, m) for i, m in enumerate(value, 1))
    if key == "guides":
        names = names or {}
        shown = ((names.get(f"guide:{code}", "").partition("：")[2], code) for code in value)
        return "\n".join(f"{i}. {name} {code}" if name else f"{i}. {code}"
                          for i, (name, code) in enumerate(shown, 1))
    if key == "items":
        names = names or {}
        return "\n".join(f"{i}. {names.get(it.get('ref'), it.get('ref'))}（{it.get('duration')} 秒）"
                         for i, it in enumerate(value, 1))
    if key == "faq":
        return "\n".join(f"问：{q.get('q')} 答：{q.get('a')}" for q in value)
    if isinstance(value, list):
        return "\n".join(str(x) for x in value) if key == "process" else "、".join(map(str, value))
    return str(value)


def diff(old: dict[str, Any] | None, new: dict[str, Any], object_type: str,
         tz: tzinfo | None = None, names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """Field-by-field changes ``old`` → ``new``: ``[{field, label, before, after}]``.
    ``names`` (:func:`ref_names`) labels the guides of a bundle and the items of a playlist."""
    old = old or {}
    out = []
    for key, label in LABELS[object_type].items():
        before, after = _show(key, old.get(key), tz, names), _show(key, new.get(key), tz, names)
        if before != after:
            out.append({"field": key, "label": label, "before": before, "after": after})
    return out


def history(session: Session, object_type: str, key: str, tz: tzinfo | None = None):
    """``[(version, changes against the version before it)]``, newest first."""
    vs = versions(session, object_type, key)
    names = ref_names(session, object_type)
    out = []
    for i, v in enumerate(vs):
        prev = vs[i + 1].data if i + 1 < len(vs) else None
        out.append((v, diff(prev, v.data, object_type, tz, names)))
    return out


# -- transitions --------------------------------------------------------------------------------
def save_draft(session: Session, object_type: str, data: dict[str, Any], author: str, now: datetime,
               *, kind: str | None = None, based_on: int | None = None,
               new_item: bool = False) -> ContentVersion:
    """Create (or keep working on) the author's draft of this item with ``data``."""
    key = data["code"]
    row = live_row(session, object_type, key)
    if new_item and row is not None:
        raise ReviewError("该编码已被使用，请换一个")
    if new_item:
        others = [v for v in versions(session, object_type, key)
                  if v.state in OPEN_STATES and v.author != author]
        if others:
            raise ReviewError("该编码已被另一份待审核的新建内容使用，请换一个")
    v = open_draft(session, object_type, key, author) if kind != "rollback" else None
    if v is None:
        number = (session.scalar(select(func.max(ContentVersion.number)).where(
            ContentVersion.object_type == object_type, ContentVersion.object_key == key)) or 0) + 1
        v = ContentVersion(object_type=object_type, object_key=key, number=number, author=author,
                           kind=kind or ("edit" if row is not None else "create"),
                           object_id=row.id if row is not None else None,
                           based_on=based_on, state="draft", created_at=now)
        session.add(v)
    v.data = dict(data)
    v.publish_from, v.expire_at = _dt(data.get("publish_from")), _dt(data.get("expire_at"))
    v.updated_at = now
    session.flush()
    _audit(session, author, "content_draft", v, None, {"version": v.number, "kind": v.kind})
    return v


def submit(session: Session, v: ContentVersion, actor: str, now: datetime) -> None:
    if v.state != "draft":
        raise ReviewError("只有草稿可以提交审核")
    if v.author != actor:
        raise ReviewError("只能提交自己的草稿")
    v.state, v.submitted_at, v.updated_at = "submitted", now, now
    _audit(session, actor, "content_submit", v, {"state": "draft"}, {"version": v.number, "state": "submitted"})


def discard(session: Session, v: ContentVersion, actor: str, now: datetime) -> None:
    if v.state != "draft" or v.author != actor:
        raise ReviewError("只能放弃自己的草稿")
    v.state, v.updated_at = "superseded", now
    _audit(session, actor, "content_discard", v, {"state": "draft"}, {"version": v.number, "state": "superseded"})


def _may_review(v: ContentVersion, actor: str, role: str) -> None:
    if role not in REVIEW_ROLES:
        raise ReviewError("只有审核员或管理员可以审核")
    if v.author == actor:
        raise ReviewError("不能审核自己提交的修改，请由另一位审核员审核")
    if v.state != "submitted":
        raise ReviewError(f"这份修改的状态是“{STATE_LABELS.get(v.state, v.state)}”，不能再审核")


def approve(session: Session, v: ContentVersion, actor: str, role: str, now: datetime) -> bool:
    """Approve; publishes at once unless ``publish_from`` is in the future. True = screens change."""
    _may_review(v, actor, role)
    v.state, v.reviewer, v.reviewed_at, v.updated_at = "approved", actor, now, now
    _audit(session, actor, "content_approve", v, {"state": "submitted"},
           {"version": v.number, "state": "approved",
            "publish_from": v.publish_from.isoformat() if v.publish_from else None})
    if v.publish_from is not None and v.publish_from > now:
        return False
    _publish(session, v, now, actor)
    return True


def reject(session: Session, v: ContentVersion, actor: str, role: str, reason: str, now: datetime) -> None:
    _may_review(v, actor, role)
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("请填写退回原因")
    v.state, v.reviewer, v.reviewed_at, v.updated_at = "rejected", actor, now, now
    v.reject_reason = reason[:2000]
    _audit(session, actor, "content_reject", v, {"state": "submitted"},
           {"version": v.number, "state": "rejected", "reason": v.reject_reason})


def _publish(session: Session, v: ContentVersion, now: datetime, actor: str) -> None:
    before = base_snapshot(session, v)
    try:
        row = review_apply.apply(session, v.object_type, v.data, v.publish_from, v.expire_at)
    except ValueError as exc:
        raise ReviewError(str(exc)) from exc
    v.object_id = row.id
    v.state, v.published_at, v.updated_at = "published", now, now
    _audit(session, actor, "content_publish", v, before, {"version": v.number, **v.data})


def rollback(session: Session, old: ContentVersion, actor: str, now: datetime) -> ContentVersion:
    """A new draft carrying ``old``'s snapshot; it is submitted and reviewed like any change."""
    if old.state not in ("published", "superseded", "rejected", "approved"):
        raise ReviewError("只能回滚到已审核过的版本")
    for draft in versions(session, old.object_type, old.object_key):
        if draft.state == "draft" and draft.author == actor:
            draft.state = "superseded"
    v = save_draft(session, old.object_type, old.data, actor, now, kind="rollback", based_on=old.number)
    _audit(session, actor, "content_rollback", v, {"from_version": old.number}, {"version": v.number})
    return v


def publish_due(session: Session, now: datetime) -> int:
    """Make approved versions whose ``publish_from`` has come live; expire what ``expire_at``
    ends. Returns how many live rows changed (call the publisher when > 0)."""
    changed = 0
    due = session.scalars(select(ContentVersion).where(
        ContentVersion.state == "approved", ContentVersion.publish_from <= now)
        .order_by(ContentVersion.publish_from, ContentVersion.number))
    for v in list(due):
        _publish(session, v, now, "system")
        changed += 1
    ending = session.scalars(select(ContentVersion).where(
        ContentVersion.state == "published", ContentVersion.expire_at <= now,
        ContentVersion.expired_at.is_(None)))
    for v in list(ending):
        v.expired_at = now
        latest = session.scalar(select(func.max(ContentVersion.published_at)).where(
            ContentVersion.object_type == v.object_type, ContentVersion.object_key == v.object_key,
            ContentVersion.state == "published"))
        row = live_row(session, v.object_type, v.object_key)
        # playlists have no status: they never carry expire_at (review_kinds.playlist_snapshot)
        if row is not None and getattr(row, "status", None) == PUBLISHED and latest == v.published_at:
            row.status = "expired"
            _audit(session, "system", "content_expire", v, {"status": PUBLISHED}, {"status": "expired"})
            changed += 1
    return changed


def publish_due_job(app: Flask) -> None:
    """Scheduler job (``kiosk/jobs.py`` ``publish-due``): run :func:`publish_due`, then publish."""
    from ..extensions import db
    from ..models import utcnow
    from .publish import get_publisher

    with app.app_context():
        try:
            if publish_due(db.session, utcnow()):
                db.session.commit()
                get_publisher(app).changed()
            else:
                db.session.rollback()
        finally:
            db.session.remove()


def stale_guide_rows(session: Session, now: datetime, days: int = 180) -> list[tuple[Guide, datetime | None]]:
    """Published guides nobody reviewed for ``days``, with the date they were last reviewed:
    the last approval of a published version, or ``Guide.updated_at`` for guides that never
    went through review (imported) — an import is the only check such a guide had.
    Oldest review first: those need attention first."""
    cutoff = now - timedelta(days=days)
    reviewed = dict(session.execute(
        select(ContentVersion.object_key, func.max(ContentVersion.reviewed_at))
        .where(ContentVersion.object_type == "guide", ContentVersion.state == "published")
        .group_by(ContentVersion.object_key)).all())
    out: list[tuple[Guide, datetime | None]] = []
    for guide in session.scalars(select(Guide).where(Guide.status == PUBLISHED).order_by(Guide.name)):
        last = reviewed.get(guide.code) or guide.updated_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        if last is None or last < cutoff:
            out.append((guide, last))
    out.sort(key=lambda row: row[1] or datetime.min.replace(tzinfo=UTC))
    return out


def stale_guides(session: Session, now: datetime, days: int = 180) -> list[Guide]:
    """The guides of :func:`stale_guide_rows`, without their review dates."""
    return [guide for guide, _ in stale_guide_rows(session, now, days)]
