"""The monthly demand report as an Excel workbook, for a bureau to attach to its 政府信息公开
年度报告 (or to its own review of the hall).

Sheets 概览 (figures and the per-day series), 热门搜索, 未满足的搜索, 热门事项, 评价, each with
Chinese headers in a frozen first row. Only aggregates: no visit id, no rating's comment and
never a contact phone (:class:`~kiosk.models.Evaluation` keeps that private). Query texts are
what citizens typed, so every text cell is written as text (a query starting with ``=`` is
never a formula) without the control characters xlsx cannot hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from ...models import AuditLog
from ..excel.workbook import safe
from ..periods import Period
from .stats import Demand

HEADER_FILL = PatternFill("solid", fgColor="FFE8EEF7")
BOLD = Font(bold=True)
KIND_LABELS = {"guide": "办事指南", "bundle": "一件事", "none": "—"}


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _number(value: float | None, digits: int = 1) -> Any:
    return "—" if value is None else round(value, digits)


def _write(ws: Worksheet, row: int, values: Sequence[Any]) -> None:
    for column, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=column, value=safe(value))
        if isinstance(value, str):
            cell.data_type = "s"  # text, even when it starts with "="
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _table(ws: Worksheet, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int],
           first_row: int = 1) -> int:
    """Header (bold, filled) at ``first_row`` and the rows under it; returns the next free row."""
    _write(ws, first_row, header)
    for column, width in enumerate(widths, start=1):
        ws.cell(row=first_row, column=column).font = BOLD
        ws.cell(row=first_row, column=column).fill = HEADER_FILL
        dim = ws.column_dimensions[get_column_letter(column)]
        dim.width = max(dim.width or 0, width)
    row = first_row + 1
    for values in rows:
        _write(ws, row, values)
        row += 1
    return row


def workbook(d: Demand, *, hall_name: str, kiosk_name: str | None, generated_at: datetime, tz: tzinfo) -> bytes:
    """The report of ``d`` (usually a month, the whole hall) as xlsx bytes."""
    wb = Workbook()
    s = d.summary
    ws = wb.active
    ws.title = "概览"
    figures = [
        ("服务大厅", hall_name), ("统计期间", d.period.label), ("范围", kiosk_name or "全部自助查询机"),
        ("生成时间", generated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")),
        ("自助查询机访问人次", s.visits), ("搜索次数", s.searches), ("不同的搜索词", s.queries),
        ("无结果的搜索", s.zero), ("无结果占比", _rate(s.zero_rate)),
        ("有结果但未点开的搜索", s.poor), ("搜索后点开事项的比例", _rate(s.follow_rate)),
        ("事项浏览（自助查询机）", s.kiosk_views),
        ("事项浏览（手机）", "—" if s.phone_views is None else s.phone_views), ("事项浏览合计", s.views),
        ("评价数", s.ratings), ("平均评分（5 分制）", _number(s.average, 2)), ("好评率", _rate(s.good_rate)),
        ("差评数（不满意、非常不满意）", s.bad),
    ]
    row = _table(ws, ("项目", "数值"), figures, (30, 36))
    ws.freeze_panes = "A2"
    _table(ws, ("日期", "搜索次数", "无结果的搜索", "事项浏览"),
           ((p.day.isoformat(), p.searches, p.zero, p.views) for p in d.series), (30, 36, 14, 12),
           first_row=row + 1)

    ws = wb.create_sheet("热门搜索")
    _table(ws, ("排名", "搜索词", "搜索次数", "平均结果数", "点开事项的比例", "最近一次"),
           ((i, r.query, r.searches, _number(r.avg_results), _rate(r.follow_rate),
             r.last_seen.astimezone(tz).strftime("%Y-%m-%d %H:%M")) for i, r in enumerate(d.top_searches, 1)),
           (6, 30, 10, 12, 16, 18))
    ws.freeze_panes = "A2"

    ws = wb.create_sheet("未满足的搜索")
    _table(ws, ("搜索词", "搜索次数", "无结果次数", "有结果未点开次数", "最近一次", "目前的前三个结果"),
           ((r.query, r.searches, r.zero, r.poor, r.last_seen.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
             "、".join(x.name for x in r.suggestions) or "（仍无结果）") for r in d.unmet),
           (30, 10, 12, 16, 18, 60))
    ws.freeze_panes = "A2"

    ws = wb.create_sheet("热门事项")
    _table(ws, ("排名", "类型", "名称", "编码", "自助查询机浏览", "手机浏览", "合计"),
           ((i, KIND_LABELS[v.kind], v.name, v.code, v.kiosk, "—" if v.phone is None else v.phone, v.total)
            for i, v in enumerate(d.top_views, 1)),
           (6, 10, 40, 34, 14, 10, 8))
    ws.freeze_panes = "A2"

    ws = wb.create_sheet("评价")
    _table(ws, ("类型", "名称", "编码", "评价数", "平均评分", "好评率", "差评数"),
           ((KIND_LABELS[r.kind], r.name, r.code, r.count, _number(r.average, 2), _rate(r.good_rate), r.bad)
            for r in d.ratings),
           (10, 40, 34, 8, 10, 10, 8))
    ws.freeze_panes = "A2"

    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def record_export(session: Session, actor: str, period: Period, screen_id: int | None = None) -> None:
    """Who downloaded which report (the caller commits): the file leaves the panel."""
    session.add(AuditLog(actor=(actor or "?")[:100], action="demand_export", object_type="demand",
                         object_id=period.first.strftime("%Y-%m") if period.kind == "month" else period.label,
                         after={"period": period.label, "first": period.first.isoformat(),
                                "last": period.last.isoformat(), "screen_id": screen_id, "format": "xlsx"}))
