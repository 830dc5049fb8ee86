"""Schedule entries under the review rule (issue 10: an editor's takeover entry put the
closed-hall playlist on every screen at once).

An entry written by someone who may not publish directly (``publish_rights``) is a
*proposal*: a new entry is stored with ``live = False`` (it never plays), a change or a
deletion of a live entry waits in ``entry.pending`` while the entry keeps playing as it was.
An approver (reviewer or admin, never the proposer) approves, which applies the proposal, or
rejects it, which drops it. Every step writes an ``AuditLog`` row; nothing here commits.
The caller publishes after an approval (the entry's groups changed what they show).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditLog, Playlist, ScheduleEntry
from .publish_rights import ApprovalError, check_approver

FIELDS = ("name", "playlist", "groups", "start_date", "end_date", "weekdays", "start_time",
          "end_time", "priority", "takeover", "enabled")


def entry_json(e: ScheduleEntry) -> dict[str, Any]:
    return {"name": e.name, "playlist": e.playlist.name if e.playlist else None, "groups": e.groups,
            "start_date": e.start_date.isoformat() if e.start_date else None,
            "end_date": e.end_date.isoformat() if e.end_date else None, "weekdays": e.weekdays,
            "start_time": e.start_time.strftime("%H:%M"), "end_time": e.end_time.strftime("%H:%M"),
            "priority": e.priority, "takeover": e.takeover, "enabled": e.enabled}


def apply_values(session: Session, entry: ScheduleEntry, values: dict[str, Any]) -> None:
    """Copy ``entry_json``-shaped values onto an entry."""
    entry.name = values["name"]
    entry.playlist = session.scalar(select(Playlist).where(Playlist.name == values["playlist"]))
    entry.groups = sorted(set(values.get("groups") or []))
    entry.start_date = date.fromisoformat(values["start_date"]) if values.get("start_date") else None
    entry.end_date = date.fromisoformat(values["end_date"]) if values.get("end_date") else None
    entry.weekdays = sorted(set(values["weekdays"]))
    entry.start_time = time.fromisoformat(values["start_time"])
    entry.end_time = time.fromisoformat(values["end_time"])
    entry.priority, entry.takeover = int(values["priority"]), bool(values["takeover"])
    entry.enabled = bool(values["enabled"])


def _audit(session: Session, actor: str, action: str, entry: ScheduleEntry, before: Any, after: Any) -> None:
    session.add(AuditLog(actor=actor[:100], action=action, object_type="schedule_entry",
                         object_id=str(entry.id), before=before, after=after))


def propose_create(session: Session, values: dict[str, Any], actor: str, now: datetime) -> ScheduleEntry:
    entry = ScheduleEntry(live=False)
    apply_values(session, entry, values)
    entry.pending = {"action": "create", "values": values, "by": actor, "at": now.isoformat()}
    session.add(entry)
    session.flush()
    _audit(session, actor, "submit", entry, None, {"action": "create", **values})
    return entry


def propose(session: Session, entry: ScheduleEntry, action: str, values: dict[str, Any] | None,
            actor: str, now: datetime) -> None:
    """An editor's change (``update``) or deletion (``delete``) of an entry."""
    if not entry.live:  # still a proposal itself: the author may rework it
        if action == "delete":
            _audit(session, actor, "discard", entry, entry_json(entry), None)
            session.delete(entry)
            return
        apply_values(session, entry, values or {})
        entry.pending = {"action": "create", "values": values, "by": actor, "at": now.isoformat()}
        _audit(session, actor, "submit", entry, None, {"action": "create", **(values or {})})
        return
    entry.pending = {"action": action, "values": values, "by": actor, "at": now.isoformat()}
    _audit(session, actor, "submit", entry, entry_json(entry), {"action": action, **(values or {})})


def waiting(session: Session) -> list[ScheduleEntry]:
    return list(session.scalars(select(ScheduleEntry).where(ScheduleEntry.pending.is_not(None))
                                .order_by(ScheduleEntry.id)))


def approve(session: Session, entry: ScheduleEntry, actor: str, role: str) -> list[str] | None:
    """Apply the proposal; returns the groups whose screens change ([] = all groups)."""
    proposal = entry.pending
    if not proposal:
        raise ApprovalError("这条排期没有待审核的修改 (nothing waits for review)")
    check_approver(role, actor, proposal.get("by"))
    before = entry_json(entry) if entry.live else None
    groups = list(entry.groups or []) if entry.live else []
    if proposal["action"] == "delete":
        _audit(session, actor, "approve", entry, before, {"action": "delete", "by": proposal.get("by")})
        session.delete(entry)
        return groups
    apply_values(session, entry, proposal["values"])
    entry.live, entry.pending = True, None
    _audit(session, actor, "approve", entry, before, {**entry_json(entry), "by": proposal.get("by")})
    return sorted(set(groups) | set(entry.groups or [])) if groups and entry.groups else []


def reject(session: Session, entry: ScheduleEntry, actor: str, role: str, reason: str) -> None:
    proposal = entry.pending
    if not proposal:
        raise ApprovalError("这条排期没有待审核的修改 (nothing waits for review)")
    check_approver(role, actor, None)
    _audit(session, actor, "reject", entry, proposal, {"reason": reason[:500], "by": proposal.get("by")})
    if not entry.live:
        session.delete(entry)
    else:
        entry.pending = None
