"""Storing parsed annual reports, and the guard that keeps failing ones off the screens.

* :func:`store_report` keeps one report per agency and year. A second report for the same
  agency and year replaces the first only with ``replace=True`` (the staff panel asks for a
  confirmation, the CLI wants ``--replace``, the API ``replace=1``); otherwise
  :class:`ReportExists` says so and how to replace it. The checks are run again with last
  year's stored report, so ``carry_over`` is checked too, and stored with the report.
* :func:`override` lets a reviewer (or admin) allow a report whose checks fail onto the
  screens, with a written reason of at least :data:`MIN_REASON` characters. The override
  covers those figures and those failed checks only (:mod:`.overrides`): a replacement, an
  import or a recheck that changes either clears it, with an audit row.
* :func:`can_schedule` is the guard: the slide renderer shows a report only when it is true,
  and playlists refuse a report for which it is false (:mod:`.playlists`).

Nothing here commits: every write adds its audit row to the caller's transaction.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import PUBLISHED, AuditLog, DisclosureReport, User, utcnow
from .checks import check_report, validate_shape
from .errors import DisclosureError
from .overrides import drop_stale_override, fingerprint, override_applies

__all__ = [
    "MIN_REASON",
    "OVERRIDE_ROLES",
    "ReportExists",
    "StoreError",
    "can_schedule",
    "checks_cleared",
    "current_checks",
    "failed_checks",
    "override",
    "previous_report",
    "report_json",
    "store_report",
]

#: The shortest override reason accepted (characters, after trimming).
MIN_REASON = 10
MAX_REASON = 2000
#: Roles that may override failing checks.
OVERRIDE_ROLES = ("admin", "reviewer")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


class StoreError(ValueError):
    """A report that cannot be stored (or overridden) as asked; ``code``/``field``/``status``
    map onto the API's error body, ``message`` is for the person (Chinese, then English)."""

    def __init__(self, message: str, *, code: str = "invalid_report", field: str | None = None,
                 status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.field, self.status = message, code, field, status


class ReportExists(StoreError):
    """A report for this agency and year is stored and ``replace`` was not given."""

    def __init__(self, existing: DisclosureReport) -> None:
        super().__init__(
            f"{existing.agency} {existing.year} 年的报告已存在（编码 {existing.code}，编号 "
            f"{existing.id}）；确认要用新文件替换时请使用 --replace（API：replace=1）/ a report "
            f"for this agency and year exists; pass replace (CLI --replace, API replace=1) "
            f"to replace it",
            code="report_exists", field="replace", status=409)
        self.existing = existing


def failed_checks(checks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [c for c in checks or () if not c.get("ok")]


def previous_report(session: Session, agency: str, year: int) -> DisclosureReport | None:
    """The stored (published, not merely submitted) report of the same agency for ``year - 1``."""
    return session.scalar(select(DisclosureReport).where(
        DisclosureReport.agency == agency, DisclosureReport.year == year - 1,
        DisclosureReport.status == PUBLISHED))


def current_checks(session: Session, report: DisclosureReport,
                   previous: DisclosureReport | None = None) -> list[dict[str, Any]]:
    """The report's checks computed now from its data and last year's stored report (which
    may be passed when the caller has it; a broken one is ignored). Raises
    :class:`DisclosureError` when the report's own data is not a complete report."""
    if previous is None:
        previous = previous_report(session, report.agency, report.year)
    return check_report(report.data, _last_year(previous))


def _last_year(previous: DisclosureReport | None) -> dict[str, Any] | None:
    """Last year's data for the ``carry_over`` checks; a broken row is ignored (this year's
    report is then judged on its own instead of being refused for last year's fault)."""
    if previous is None:
        return None
    try:
        validate_shape(previous.data, "previous", (("carried_forward",),))
    except DisclosureError:
        return None
    return previous.data


def can_schedule(report: DisclosureReport, checks: list[dict[str, Any]] | None = None) -> bool:
    """May this report reach screens? Only when it is published and :func:`checks_cleared`."""
    return report.status == PUBLISHED and checks_cleared(report, checks)


def checks_cleared(report: DisclosureReport, checks: list[dict[str, Any]] | None = None) -> bool:
    """Yes when every check passes, or when a reviewer overrode exactly these failing checks
    of exactly these figures with a written reason. ``checks`` defaults to the stored ones;
    a row without stored checks (imported before checks were stored) is checked now, without
    ``carry_over``. A report whose data is not a complete report never is."""
    if checks is None:
        checks = report.checks
    if checks is None:
        try:
            checks = check_report(report.data)
        except DisclosureError:
            return False
    if not failed_checks(checks):
        return True
    return override_applies(report, checks)


def report_json(report: DisclosureReport, *, with_data: bool = False) -> dict[str, Any]:
    """What the API and the audit log show of a stored report."""
    checks = report.checks
    out: dict[str, Any] = {
        "id": report.id,
        "code": report.code,
        "agency": report.agency,
        "year": report.year,
        "status": report.status,
        "source_filename": report.source_filename,
        "checks_ok": report.checks_ok,
        "failed": len(failed_checks(checks)) if checks is not None else None,
        "override_reason": report.override_reason,
        "override_by": report.override_by,
        "overridden_at": report.overridden_at.isoformat() if report.overridden_at else None,
        "can_schedule": can_schedule(report),
    }
    if with_data:
        out["data"] = report.data
        out["checks"] = checks
    return out


def _validate(report: Any) -> tuple[str, int]:
    """Agency and year of a report dict; the rest of its shape is checked by check_report."""
    if not isinstance(report, dict):
        raise StoreError("报告数据应为对象 / report must be an object", field="report")
    agency = report.get("agency")
    if not isinstance(agency, str) or not agency.strip():
        raise StoreError(
            "未能从文件中识别出机关名称（标题应为“XXX 2023 年政府信息公开工作年度报告”），无法保存 / "
            "no agency found in the file's title, cannot store it", field="agency")
    if len(agency.strip()) > 200:
        raise StoreError("机关名称过长（最多 200 个字符）/ agency name too long", field="agency")
    year = report.get("year")
    if type(year) is not int or not 1990 <= year <= 2100:
        raise StoreError(
            "未能从文件中识别出报告年度，无法保存 / no report year found in the file, cannot "
            "store it", field="year")
    if report.get("template") != "2021":
        raise StoreError("只能保存 2021 年版格式的报告 / only 2021-template reports can be stored",
                         field="template")
    proactive = report.get("proactive")
    counts_ok = isinstance(proactive, dict) and all(
        isinstance(proactive.get(group), dict)
        and all(type(proactive[group].get(k)) is int and proactive[group][k] >= 0
                for k in ("issued", "repealed", "in_force"))
        for group in ("regulations", "normative_documents")
    ) and all(type(proactive.get(k)) is int and proactive[k] >= 0
              for k in ("licensing", "penalty", "enforcement"))
    fees = proactive.get("fees_10k_yuan") if isinstance(proactive, dict) else None
    if not counts_ok or isinstance(fees, bool) or not isinstance(fees, int | float) or fees < 0:
        raise StoreError("报告的主动公开数据不完整 / the proactive-disclosure figures are incomplete",
                         field="proactive")
    return agency.strip(), year


def validate_report(report: Any) -> tuple[str, int]:
    """Agency and year of a report dict (:class:`StoreError` when missing)."""
    return _validate(report)


def fresh_checks(session: Session, data: dict[str, Any], agency: str, year: int) -> list[dict[str, Any]]:
    """The checks of report data against last year's stored report (``carry_over`` too)."""
    return check_report(data, _last_year(previous_report(session, agency, year)))


def code_for_new(session: Session, agency: str, year: int, code: str | None) -> str:
    """The code a new report gets: ``code`` when given (checked), else from the agency."""
    return _check_code(session, code, None) if code else _code_for(session, agency, year)


def _code_for(session: Session, agency: str, year: int) -> str:
    """A readable unique code from the agency's pinyin initials: ``lcqzwfwhdsjglj-2023``."""
    from pypinyin import Style, lazy_pinyin  # 0.3 s to load: only when a code is made

    initials = "".join(lazy_pinyin(agency, style=Style.FIRST_LETTER, errors="ignore")).lower()
    stem = re.sub(r"[^a-z0-9]", "", initials)[:48] or "report"
    code, n = f"{stem}-{year}", 1
    while session.scalar(select(DisclosureReport.id).where(DisclosureReport.code == code)):
        n += 1
        code = f"{stem}-{year}-{n}"
    return code


def _check_code(session: Session, code: str, own_id: int | None) -> str:
    code = code.strip()
    if not _CODE.match(code):
        raise StoreError("报告编码只能包含小写字母、数字、“-”“_”“.”，最多 64 个字符 / code: "
                         "lowercase letters, digits, - _ . (≤64)", field="code")
    taken = session.scalar(select(DisclosureReport).where(DisclosureReport.code == code))
    if taken is not None and taken.id != own_id:
        raise StoreError(f"编码 {code} 已被 {taken.agency} {taken.year} 年的报告使用 / code in use",
                         code="code_taken", field="code", status=409)
    return code


def _snapshot(report: DisclosureReport) -> dict[str, Any]:
    return {**report_json(report), "data": report.data}


def store_report(session: Session, report: dict[str, Any], *, code: str | None = None,
                 source_filename: str = "", replace: bool = False,
                 actor: str) -> DisclosureReport:
    """Store a parsed report (``parse_report``'s dict) as the one of its agency and year.

    An existing report of that agency and year is replaced only with ``replace=True``
    (:class:`ReportExists` otherwise); a replacement keeps the old code unless ``code`` is
    given, and keeps an override only when its figures and failed checks are the same (the
    reason was about those; otherwise it is cleared, audited). The checks are run again with
    last year's stored report and kept with the report; the report of the following year,
    when stored, gets its ``carry_over`` checks refreshed. Writes an audit row (before/after);
    flushes, never commits.
    """
    agency, year = _validate(report)
    data = {k: v for k, v in report.items() if k not in ("checks", "code")}
    data["agency"] = agency
    previous = previous_report(session, agency, year)
    checks = check_report(data, _last_year(previous))
    existing = session.scalar(select(DisclosureReport).where(
        DisclosureReport.agency == agency, DisclosureReport.year == year))
    if existing is not None and not replace:
        raise ReportExists(existing)
    before = _snapshot(existing) if existing is not None else None
    if code is not None and code.strip():
        code = _check_code(session, code, existing.id if existing is not None else None)
    elif existing is not None:
        code = existing.code
    else:
        code = _code_for(session, agency, year)
    row = existing or DisclosureReport(agency=agency, year=year, status=PUBLISHED)
    row.code = code
    row.data = data
    row.checks = checks
    row.checks_ok = not failed_checks(checks)
    row.source_filename = (source_filename or "")[:255] or None
    if existing is None:
        session.add(row)
    else:
        drop_stale_override(session, row, checks, actor=actor,
                            because="the report was replaced by a new upload")
    session.flush()
    session.add(AuditLog(actor=actor, action="replace" if existing is not None else "create",
                         object_type="disclosure_report", object_id=str(row.id),
                         before=before, after=_snapshot(row)))
    following = session.scalar(select(DisclosureReport).where(
        DisclosureReport.agency == agency, DisclosureReport.year == year + 1))
    if following is not None:
        refresh_checks(session, following, row, actor)
    session.flush()
    return row


def refresh_checks(session: Session, report: DisclosureReport, previous: DisclosureReport,
                   actor: str) -> None:
    """Recompute a stored report's checks after last year's report changed; an override
    given for a different set of failures (or numbers) is cleared, with an audit row."""
    try:
        checks = current_checks(session, report, previous)
    except DisclosureError:
        return  # its own data is broken; can_schedule already refuses it
    if checks == report.checks:
        return
    before = {"checks_ok": report.checks_ok, "failed": len(failed_checks(report.checks))}
    report.checks = checks
    report.checks_ok = not failed_checks(checks)
    because = f"previous year's report {previous.code} changed"
    session.add(AuditLog(actor=actor, action="recheck", object_type="disclosure_report",
                         object_id=str(report.id), before=before,
                         after={"checks_ok": report.checks_ok,
                                "failed": len(failed_checks(checks)), "because": because}))
    drop_stale_override(session, report, checks, actor=actor, because=because)


def override(session: Session, report_id: int, reason: str, *,
             actor_user: User) -> DisclosureReport:
    """Allow a report whose checks fail onto the screens, with the reviewer's written reason.

    Only reviewers and admins may; the reason must have at least :data:`MIN_REASON`
    characters. The checks are recomputed first (last year's report may have changed), and a
    report whose checks all pass needs no override. Writes an audit row; never commits.
    """
    if actor_user is None or actor_user.role not in OVERRIDE_ROLES:
        raise StoreError("只有审核人员或管理员可以放行未通过校验的报告 / only a reviewer or admin "
                         "may override", code="forbidden", status=403)
    report = session.get(DisclosureReport, report_id)
    if report is None:
        raise StoreError(f"报告 {report_id} 不存在 / no such report", code="not_found", status=404)
    reason = " ".join((reason or "").split()) if isinstance(reason, str) else ""
    if len(reason) < MIN_REASON:
        raise StoreError(f"请填写放行理由，至少 {MIN_REASON} 个字 / a written reason of at least "
                         f"{MIN_REASON} characters is required", code="invalid_field",
                         field="reason")
    if len(reason) > MAX_REASON:
        raise StoreError(f"放行理由最多 {MAX_REASON} 个字 / reason too long", code="invalid_field",
                         field="reason")
    try:
        checks = current_checks(session, report)
    except DisclosureError as exc:
        raise StoreError(f"报告数据不完整，不能放行 / the stored data is not a complete report: "
                         f"{exc}", code="invalid_report") from exc
    if not failed_checks(checks):
        raise StoreError("该报告的校验全部通过，无需放行 / every check passes, nothing to override",
                         code="override_not_needed", status=409)
    before = report_json(report)
    report.checks = checks
    report.checks_ok = False
    report.override_reason = reason
    report.override_by = actor_user.name
    report.overridden_at = utcnow()
    report.override_fingerprint = fingerprint(report.data, checks)
    session.flush()
    session.add(AuditLog(actor=actor_user.name, action="override", object_type="disclosure_report",
                         object_id=str(report.id), before=before,
                         after={**report_json(report),
                                "failed_rules": [c["rule"] for c in failed_checks(checks)]}))
    return report


def assess(session: Session, report: dict[str, Any]) -> tuple[DisclosureReport | None, DisclosureReport | None]:
    """Check a freshly parsed report against last year's stored one (``carry_over``) and find
    the stored report it would replace. Updates ``report["checks"]`` in place and returns
    ``(previous, existing)`` — what the API and the panel show before anything is stored."""
    agency, year = report.get("agency"), report.get("year")
    if not agency or not isinstance(year, int):
        return None, None
    previous = previous_report(session, agency, year)
    if previous is not None:
        try:
            report["checks"] = check_report(report, previous.data)
        except DisclosureError:  # last year's stored data is broken: check without it
            previous = None
    existing = session.scalar(select(DisclosureReport).where(
        DisclosureReport.agency == agency, DisclosureReport.year == year))
    return previous, existing
