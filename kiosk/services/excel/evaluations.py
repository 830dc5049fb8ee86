"""好差评 statistics from a workbook: data of the national 好差评 system, stored directly.

Unlike guides these figures are not written by hall staff but copied from the national
system's export, so they do not go through review: admins and reviewers import them, every
created or changed (month, window) row gets its own audit row with before/after, and the
caller asks the publisher to republish. Values follow the content importer's rules
(``evaluations.csv``): month ``YYYY-MM``, a known department, five counts ≥ 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import LEVEL_LABELS, LEVELS, AuditLog, EvaluationStat
from ..importer.errors import ImportFailure, Where
from ..importer.fields import Entry
from ..importer.parsers import _period
from ..review_validate import plain
from .columns import EVALUATIONS
from .outcome import Outcome
from .reader import SheetRows
from .refs import Departments

Progress = Callable[[int, int], None]
FIELD_LABELS = {"department": "部门", **dict(zip(LEVELS, LEVEL_LABELS, strict=True))}


def _key(period: date, window: str) -> str:
    return f"{period:%Y-%m}|{window}"


def _stored(session: Session) -> dict[str, EvaluationStat]:
    rows = session.scalars(select(EvaluationStat).options(selectinload(EvaluationStat.department)))
    return {_key(r.period, r.window): r for r in rows}


def _values(row: EvaluationStat) -> dict[str, Any]:
    return {"period": f"{row.period:%Y-%m}", "window": row.window, "department": row.department.code,
            **{level: getattr(row, level) for level in LEVELS}}


def _row_values(out: Outcome, number: int, raw: dict[str, str], depts: Departments) -> dict[str, Any] | None:
    """The checked values of one row, or None after reporting each of its mistakes."""
    data = {k: (v.strip() or None) for k, v in raw.items()}
    e = Entry(Where(EVALUATIONS.name, number), data)
    values: dict[str, Any] = {}
    bad = False

    def run(key: str, fn: Callable[[], Any]) -> None:
        nonlocal bad
        try:
            values[key] = fn()
        except ImportFailure as exc:
            message = plain(exc.message)
            if message == "缺少必填字段":
                message = f"请填写{EVALUATIONS.column(key).header}"
            out.error(EVALUATIONS.name, number, EVALUATIONS.column(key).header, message)
            bad = True

    run("period", lambda: _period(e, data["period"]) if data["period"] else e.raw("period", True))
    run("window", lambda: e.text("window", required=True, max_len=100))
    code, message = depts.resolve(raw["department"])
    if message:
        out.error(EVALUATIONS.name, number, EVALUATIONS.column("department").header, message)
        bad = True
    values["department"] = code
    for level in LEVELS:
        run(level, lambda level=level: e.integer(level, required=True))
    return None if bad else values


def check(session: Session, sheets: Sequence[SheetRows], progress: Progress | None = None) -> Outcome:
    """Every error of the file (nothing is written), or what each row would change."""
    out = Outcome("evaluations")
    (rows,) = sheets
    depts = Departments(session)
    stored = _stored(session)
    seen: dict[str, int] = {}
    total = len(rows.rows)
    for index, (number, raw) in enumerate(rows.rows, start=1):
        if progress is not None and index % 100 == 0:
            progress(index, total)
        values = _row_values(out, number, raw, depts)
        if values is None:
            continue
        key = _key(values["period"], values["window"])
        if key in seen:
            out.error(EVALUATIONS.name, number, EVALUATIONS.column("window").header,
                      f"同一月份的这个窗口已在第 {seen[key]} 行填写过")
            continue
        seen[key] = number
        data = {**values, "period": f"{values['period']:%Y-%m}"}
        before = _values(stored[key]) if key in stored else None
        changes = [label for field, label in FIELD_LABELS.items()
                   if before is not None and before[field] != data[field]]
        action = "new" if before is None else ("changed" if changes else "unchanged")
        out.items.append({"row": number, "key": key, "label": f"{data['period']} {data['window']}",
                          "action": action, "data": data, "before": before, "changes": changes})
    return out


def apply(session: Session, out: Outcome, actor: str, filename: str) -> dict[str, int]:
    """Store new and changed rows in the caller's transaction, one audit row each."""
    if not out.ok:
        raise ValueError("a file with errors cannot be applied")
    depts = Departments(session)
    stored = _stored(session)
    for item in out.to_apply():
        data = item["data"]
        row = stored.get(item["key"])
        before = _values(row) if row is not None else None
        if row is None:
            year, month = map(int, data["period"].split("-"))
            row = EvaluationStat(period=date(year, month, 1), window=data["window"])
            session.add(row)
        row.department_id = depts.id_of(data["department"])
        for level in LEVELS:
            setattr(row, level, data[level])
        session.add(AuditLog(actor=actor[:100], action="evaluation_import", object_type="evaluation_stat",
                             object_id=item["key"][:100], before=before, after=data))
    counts = out.counts
    session.add(AuditLog(actor=actor[:100], action="excel_import", object_type="evaluation_stat",
                         object_id=filename[-100:], before=None, after={"file": filename, **counts}))
    session.flush()
    return counts


def export_rows(session: Session) -> dict[str, list[list[Any]]]:
    """Every stored row, by month and window, in the template's layout."""
    depts = Departments(session)
    rows = []
    for key in sorted(stored := _stored(session)):
        v = _values(stored[key])
        v["department"] = depts.shown.get(v["department"], v["department"])
        rows.append([v[c.key] for c in EVALUATIONS.columns])
    return {EVALUATIONS.name: rows}
