"""好差评 figures for screens: latest-month summary, per-window ranking and a short trend.

好评率 = (非常满意 + 满意 + 基本满意) / 全部评价, the national definition (levels 3–5).
Screens show only aggregates: never an individual evaluation or anything personal.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import LEVEL_LABELS, LEVELS, Department, EvaluationStat


def _rate(good: int, total: int) -> float | None:
    return good / total if total else None


def summary(session: Session, department_code: str | None = None, months: int = 6) -> dict[str, Any] | None:
    """Latest period's figures (hall-wide or one department) plus up to ``months`` of trend."""
    stmt = select(EvaluationStat).options(joinedload(EvaluationStat.department))
    title = "全厅好差评"
    if department_code:
        dept = session.scalar(select(Department).where(Department.code == department_code))
        if dept is None:
            return None
        stmt = stmt.where(EvaluationStat.department_id == dept.id)
        title = f"{dept.short_name or dept.name}好差评"
    rows = session.scalars(stmt).all()
    if not rows:
        return None
    by_period: dict[date, list[EvaluationStat]] = defaultdict(list)
    for row in rows:
        by_period[row.period].append(row)
    periods = sorted(by_period)
    latest = periods[-1]
    current = by_period[latest]
    counts = [sum(getattr(r, level) for r in current) for level in LEVELS]
    total = sum(counts)
    good = sum(counts[:3])
    windows = sorted(
        (
            {
                "window": r.window,
                "department": r.department.short_name or r.department.name,
                "total": r.total,
                "good_rate": _rate(r.good, r.total),
            }
            for r in current
        ),
        key=lambda w: (-(w["good_rate"] or 0), -w["total"], w["window"]),
    )
    trend = []
    for p in periods[-months:]:
        t = sum(r.total for r in by_period[p])
        trend.append({"period": p.strftime("%Y-%m"), "good_rate": _rate(sum(r.good for r in by_period[p]), t)})
    return {
        "title": title,
        "period": f"{latest.year}年{latest.month}月",
        "total": total,
        "good": good,
        "good_rate": _rate(good, total),
        "counts": counts,
        "labels": list(LEVEL_LABELS),
        "windows": windows,
        "trend": trend,
    }
