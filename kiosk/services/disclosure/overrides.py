"""A reviewer's override covers the failures they read — those numbers, those checks — only.

A reviewer lets a report whose checks fail onto the screens after reading *these* failures
("「总计」列为 12，六列之和为 13") and writing why they are acceptable. If the numbers are
replaced (a re-upload, the content importer updating the report by code) or a different set
of checks fails (last year's report changed, so ``carry_over`` now fails as well), that
reason no longer speaks about the report on the wall. So an override stores a fingerprint
of the report's data and of its failed checks, it applies only while both are unchanged,
and every write path calls :func:`drop_stale_override`, which clears an override that no
longer applies and writes an audit row saying why — the report is then kept off the
screens until a reviewer looks again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.orm import Session

from ...models import AuditLog, DisclosureReport


def _failed(checks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [c for c in checks or () if not c.get("ok")]


def fingerprint(data: dict[str, Any], checks: list[dict[str, Any]] | None) -> str:
    """SHA-256 of the report's figures and of its failed checks. A failed check's message
    names its row, column and both numbers, including last year's for ``carry_over``, so a
    change of any number involved in a failure changes the fingerprint too."""
    figures = {k: v for k, v in (data or {}).items() if k != "checks"}
    failed = [[c.get("rule"), list(c.get("cells") or ()), c.get("message")]
              for c in _failed(checks)]
    blob = json.dumps({"data": figures, "failed": failed}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def override_applies(report: DisclosureReport, checks: list[dict[str, Any]] | None) -> bool:
    """True when the report carries a reviewer's reason given for exactly these figures and
    these failed ``checks``."""
    if not (report.override_reason or "").strip() or not report.override_fingerprint:
        return False
    return report.override_fingerprint == fingerprint(report.data, checks)


def drop_stale_override(session: Session, report: DisclosureReport,
                        checks: list[dict[str, Any]] | None, *, actor: str,
                        because: str) -> bool:
    """Clear an override that does not cover the report's current figures and failed
    ``checks``, with an audit row (``override_cleared``) naming the old reason and why it
    lapsed. Returns True when one was cleared. Never commits."""
    if not (report.override_reason or "").strip() or override_applies(report, checks):
        return False
    before = {"override_reason": report.override_reason, "override_by": report.override_by,
              "overridden_at": report.overridden_at.isoformat() if report.overridden_at else None}
    report.override_reason = report.override_by = report.overridden_at = None
    report.override_fingerprint = None
    session.add(AuditLog(actor=actor[:100], action="override_cleared",
                         object_type="disclosure_report", object_id=str(report.id),
                         before=before,
                         after={"because": because,
                                "failed_rules": sorted({c["rule"] for c in _failed(checks)})}))
    return True
