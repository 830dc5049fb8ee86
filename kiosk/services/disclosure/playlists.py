"""Playlists may name only a disclosure report that may reach the screens.

The slide renderer drops a report whose checks fail without a reviewer's override, but that
is a safety net, not an answer: a playlist saved with such a report would silently show one
slide fewer, and nobody would learn why. So every place that validates a playlist item —
the panel's playlist form and its approval, the content importer — asks :func:`refusal`
first and shows its message on the item: which report, and that a reviewer must override
its failing checks with a written reason before it can be scheduled.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import DisclosureReport
from .errors import DisclosureError
from .store import checks_cleared, current_checks, failed_checks

PREFIX = "disclosure:"


def refusal(session: Session, report: DisclosureReport) -> str | None:
    """Why ``report`` may not be put in a playlist now (Chinese, for the item's field), or
    ``None``. Checks are computed now, with last year's stored report."""
    name = f"政府信息公开年报“{report.agency} {report.year}年”（{PREFIX}{report.code}）"
    try:
        checks = current_checks(session, report)
    except DisclosureError:
        return f"{name}的数据不完整，不能加入播放列表；请重新上传该报告"
    if checks_cleared(report, checks):
        return None
    stale = ("；原放行理由是针对变化前的数字或未通过项给出的，已不再适用"
             if (report.override_reason or "").strip() else "")
    return (f"{name}有 {len(failed_checks(checks))} 项校验未通过，须先由审核人员在“公开年报”页面"
            f"填写理由放行，才能加入播放列表{stale}")


def refusal_for_ref(session: Session, ref: str) -> str | None:
    """:func:`refusal` for a playlist reference; ``None`` for other kinds and for codes no
    report has (whether a reference exists is checked elsewhere, with its own message)."""
    if not ref.startswith(PREFIX):
        return None
    report = session.scalar(select(DisclosureReport).where(
        DisclosureReport.code == ref.removeprefix(PREFIX)))
    return refusal(session, report) if report is not None else None


def refusals(session: Session) -> dict[str, str]:
    """``{"disclosure:CODE": message}`` for every stored report a playlist may not name."""
    out = {}
    for report in session.scalars(select(DisclosureReport).order_by(DisclosureReport.code)):
        message = refusal(session, report)
        if message:
            out[f"{PREFIX}{report.code}"] = message
    return out
