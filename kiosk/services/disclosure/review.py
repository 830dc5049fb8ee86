"""Disclosure reports under the review rule (issue 10: an editor's ``store=1&replace=1``
changed a live wall's figures within 2 s).

Someone who may not publish directly (``services/publish_rights.py``) *submits* a report:

* a new agency-year is stored as ``status = "submitted"``; :func:`store.can_schedule` is
  false for it, so no playlist takes it and no slide shows it;
* a replacement of a stored report waits in ``report.pending`` (the parsed report, its
  file name and code); the stored figures stay on the screens meanwhile.

An approver (reviewer or admin, never the uploader) approves, which stores the report exactly
as :func:`store.store_report` would have (checks re-run with last year's report, stale
overrides cleared, next year's ``carry_over`` refreshed), or rejects, which drops it. Every
step writes an ``AuditLog`` row; nothing here commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import PUBLISHED, AuditLog, DisclosureReport
from ..publish_rights import ApprovalError, check_approver
from . import store

SUBMITTED = "submitted"


def _audit(session: Session, actor: str, action: str, row: DisclosureReport, after: Any) -> None:
    session.add(AuditLog(actor=actor[:100], action=action, object_type="disclosure_report",
                         object_id=str(row.id), before=None, after=after))


def submit(session: Session, report: dict[str, Any], *, code: str | None, source_filename: str,
           replace: bool, actor: str, now: datetime) -> DisclosureReport:
    """Store an editor's upload for review; raises ``store.StoreError`` like ``store_report``."""
    agency, year = store.validate_report(report)
    existing = session.scalar(select(DisclosureReport).where(
        DisclosureReport.agency == agency, DisclosureReport.year == year))
    if existing is not None and not replace:
        raise store.ReportExists(existing)
    proposal = {"report": report, "code": (code or "").strip() or None,
                "filename": (source_filename or "")[:255] or None, "by": actor, "at": now.isoformat()}
    if existing is not None and existing.status != SUBMITTED:
        existing.pending = {**proposal, "action": "replace"}
        session.flush()
        _audit(session, actor, "submit", existing, {"action": "replace", "filename": proposal["filename"]})
        return existing
    if existing is not None:  # an earlier submission not yet reviewed: this one replaces it
        session.delete(existing)
        session.flush()
    data = {k: v for k, v in report.items() if k not in ("checks", "code")}
    data["agency"] = agency
    checks = store.fresh_checks(session, data, agency, year)
    row = DisclosureReport(agency=agency, year=year, status=SUBMITTED, data=data, checks=checks,
                           checks_ok=not store.failed_checks(checks),
                           code=store.code_for_new(session, agency, year, proposal["code"]),
                           source_filename=proposal["filename"],
                           pending={**proposal, "action": "create"})
    session.add(row)
    session.flush()
    _audit(session, actor, "submit", row, {"action": "create", "filename": proposal["filename"]})
    return row


def waiting(session: Session) -> list[DisclosureReport]:
    return list(session.scalars(select(DisclosureReport).where(DisclosureReport.pending.is_not(None))
                                .order_by(DisclosureReport.id)))


def approve(session: Session, row: DisclosureReport, *, actor: str, role: str) -> DisclosureReport:
    proposal = row.pending
    if not proposal:
        raise ApprovalError("该报告没有待审核的上传 (nothing waits for review)")
    check_approver(role, actor, proposal.get("by"))
    if proposal["action"] == "create":
        report = {**row.data, "checks": row.checks}
        row.status, row.pending = PUBLISHED, None
        session.flush()
        stored = store.store_report(session, report, source_filename=row.source_filename or "",
                                    replace=True, actor=actor)
    else:
        row.pending = None
        session.flush()
        stored = store.store_report(session, proposal["report"], code=proposal.get("code"),
                                    source_filename=proposal.get("filename") or "", replace=True,
                                    actor=actor)
    _audit(session, actor, "approve", stored, {"action": proposal["action"], "by": proposal.get("by")})
    return stored


def reject(session: Session, row: DisclosureReport, *, actor: str, role: str, reason: str = "") -> None:
    proposal = row.pending
    if not proposal:
        raise ApprovalError("该报告没有待审核的上传 (nothing waits for review)")
    check_approver(role, actor, None)
    _audit(session, actor, "reject", row, {"action": proposal["action"], "by": proposal.get("by"),
                                           "reason": (reason or "")[:500]})
    if proposal["action"] == "create":
        session.delete(row)
    else:
        row.pending = None
    session.flush()
