"""The audit log (审计日志): search it, export it as CSV, prune it after the retention period.

Every write in the product adds an :class:`AuditLog` row (who, when, what, before/after); this
module is how people read those rows back. Dates people type are days in the hall's time zone
(``TIMEZONE``), while ``AuditLog.at`` is stored in UTC, so a day is turned into the UTC instants
of its local midnight before querying. Nothing here commits: the caller commits once, as
elsewhere in ``services``.

The CSV is meant to be opened in Excel by auditors, so it starts with a UTF-8 byte order mark
(or Excel guesses GBK and garbles the Chinese) and every cell that Excel would take for a
formula (``= + - @``, tab, CR at the start) gets a leading apostrophe: user names, ticker
texts and other things people typed end up in these cells.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flask import Flask
from sqlalchemy import ColumnElement, Select, String, cast, delete, func, or_, select
from sqlalchemy.orm import Session

from ..config import MIN_AUDIT_RETENTION_DAYS
from ..models import AuditLog
from .audit_labels import action_label, compact_json, type_label

log = logging.getLogger(__name__)

PER_PAGE = 50
CSV_HEADER = ("时间", "操作人", "操作", "对象类型", "对象", "变更前", "变更后")
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BATCH = 500


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; empty values do not filter. Dates are local days, both inclusive."""

    actor: str = ""  # part of the user name (also "system", "cli", "import:…")
    object_type: str = ""  # exact code, e.g. "screen"
    object_text: str = ""  # digits: that object id exactly; other text: in the id or before/after
    action: str = ""  # exact code, e.g. "login_failed"
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters that are set, as plain strings (recorded when the log is exported)."""
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items() if v}


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditLog]
    total: int
    page: int
    pages: int
    per_page: int

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return self.first_number + len(self.rows) - 1 if self.rows else 0


def day_start(day: date, tz: tzinfo) -> datetime:
    """The UTC instant of local midnight at the start of ``day`` in the hall's zone."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def _contains(column: ColumnElement, text: str) -> ColumnElement[bool]:
    return func.lower(column).contains(text.lower(), autoescape=True)


def _in_json(column: ColumnElement, text: str) -> ColumnElement[bool]:
    """Text inside a JSON column. The JSON type stores non-ASCII as ``\\uXXXX`` escapes on the
    default serializer, so the escaped spelling is searched as well as the plain one."""
    as_text = cast(column, String)
    escaped = json.dumps(text)[1:-1]
    if escaped == text:
        return _contains(as_text, text)
    return or_(_contains(as_text, text), _contains(as_text, escaped))


def conditions(f: AuditFilter, tz: tzinfo) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.actor.strip():
        where.append(_contains(AuditLog.actor, f.actor.strip()))
    if f.object_type.strip():
        where.append(AuditLog.object_type == f.object_type.strip())
    if f.action.strip():
        where.append(AuditLog.action == f.action.strip())
    text = f.object_text.strip()
    if text:
        if text.isdigit():  # a row id: "3" must not find screen 13 or every "3" in a value
            where.append(AuditLog.object_id == text)
        else:
            where.append(or_(AuditLog.object_id == text, _contains(AuditLog.object_id, text),
                             _in_json(AuditLog.before, text), _in_json(AuditLog.after, text)))
    if f.date_from is not None:
        where.append(AuditLog.at >= day_start(f.date_from, tz))
    if f.date_to is not None:
        where.append(AuditLog.at < day_start(f.date_to + timedelta(days=1), tz))
    return where


def statement(f: AuditFilter, tz: tzinfo) -> Select[tuple[AuditLog]]:
    """Matching rows, newest first (id breaks ties between rows of the same instant)."""
    return select(AuditLog).where(*conditions(f, tz)).order_by(AuditLog.at.desc(), AuditLog.id.desc())


def search(session: Session, f: AuditFilter, tz: tzinfo, *, page: int = 1,
           per_page: int = PER_PAGE) -> AuditPage:
    """One page of matching rows; a page past the end shows the last page."""
    total = session.scalar(select(func.count()).select_from(AuditLog).where(*conditions(f, tz))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(session.scalars(statement(f, tz).limit(per_page).offset((page - 1) * per_page)))
    return AuditPage(rows, total, page, pages, per_page)


def choices(session: Session) -> tuple[list[str], list[str]]:
    """The actions and object types that occur in the log (for the search form's lists)."""
    actions = list(session.scalars(select(AuditLog.action).distinct()))
    types = list(session.scalars(select(AuditLog.object_type).distinct()))
    return sorted(actions, key=lambda a: (action_label(a), a)), sorted(types, key=lambda t: (type_label(t), t))


# -- CSV ---------------------------------------------------------------------------------------
def neutralise(cell: str) -> str:
    """A cell Excel would run as a formula is made plain text with a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_cells(row: AuditLog, tz: tzinfo) -> list[str]:
    cells = [row.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), row.actor or "", action_label(row.action),
             type_label(row.object_type), row.object_id or "", compact_json(row.before), compact_json(row.after)]
    return [neutralise(c) for c in cells]


def csv_lines(session: Session, f: AuditFilter, tz: tzinfo) -> Iterator[str]:
    """The CSV export, line by line (for a streamed download), newest first, BOM first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield BOM + take()
    batch = 0
    for row in session.scalars(statement(f, tz).execution_options(yield_per=CSV_BATCH)):
        writer.writerow(csv_cells(row, tz))
        batch += 1
        if batch >= 50:  # a few kilobytes per chunk, not one network write per row
            yield take()
            batch = 0
    if batch:
        yield take()


def record_export(session: Session, actor: str, f: AuditFilter) -> None:
    """Who downloaded the log and with which filters: the export carries staff IP addresses."""
    session.add(AuditLog(actor=(actor or "?")[:100], action="audit_export", object_type="audit_log",
                         object_id=None, after={"filters": f.as_dict()}))


# -- retention ---------------------------------------------------------------------------------
def prune(session: Session, now: datetime, days: int) -> int:
    """Delete rows older than ``days`` and record that in one new row (``audit_prune``).

    The deletion and its own audit row are in the caller's one transaction, so either both
    happen or neither. The new row is written even when nothing was deleted: it shows the
    nightly job ran. Returns the number of rows deleted.
    """
    if days < MIN_AUDIT_RETENTION_DAYS:
        raise ValueError(f"audit log retention must be at least {MIN_AUDIT_RETENTION_DAYS} days, not {days}")
    cutoff = now - timedelta(days=days)
    result = session.execute(delete(AuditLog).where(AuditLog.at < cutoff)
                             .execution_options(synchronize_session=False))
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    session.add(AuditLog(at=now, actor="system", action="audit_prune", object_type="audit_log", object_id=None,
                         after={"deleted": count, "cutoff": cutoff.isoformat(), "days": days}))
    return count


def prune_job(app: Flask) -> None:
    """Scheduler job (``kiosk/jobs.py`` ``audit-prune``): prune with ``AUDIT_RETENTION_DAYS``."""
    from ..extensions import db
    from ..models import utcnow

    with app.app_context():
        try:
            count = prune(db.session, utcnow(), int(app.config["AUDIT_RETENTION_DAYS"]))
            db.session.commit()
            log.info("audit-prune: %d rows older than %s days deleted", count, app.config["AUDIT_RETENTION_DAYS"])
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()
