"""Write a report dict back out in the published layouts.

Tests use these to round-trip generated reports through the parser, and slides can show the
tables as agencies print them. ``render_text`` reproduces the copied-web-page layout of the
Laocheng seed cell for cell (including its ``3.其他`` and ``(七) 总计`` quirks), so whatever
the parser accepts from a real copy it accepts from here; ``render_html`` writes the
template's table with rowspan/colspan (``merged``) or as a flat grid of empty cells.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import template as t
from .cells import Number, format_number

Formatter = Callable[[Number, str], str]

_REVIEW_TEXT_HEAD = [
    "行政复议\t\t\t\t\t行政诉讼\t\t\t\t\t\t\t\t\t",
    "结果 维持\t结果 纠正\t其他 结果\t尚未 审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
    "\t\t\t\t\t" + "\t".join(["结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"] * 2),
]
_APP_TEXT_HEAD = [
    "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t申请人情况"
    "\t\t\t\t\t\t总计\t",
    "\t\t自然人\t法人或其他组织\t\t\t\t\t\t",
    "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\t",
]
_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


def _seed_label(label: str) -> str:
    """The copied page prints ``(三) 不予公开`` where the template has ``（三）不予公开``."""
    return re.sub(r"^（(.)）", r"(\1) ", label)


def _values(report: dict[str, Any], blanks_for_zero: bool, fmt: Formatter | None) -> tuple[
    Callable[[t.AppPath], list[str]], Callable[[str], list[str]], Callable[[str], str], list[str]
]:
    """Cell spellings: per application row, per 主动公开 field, and the 15 review cells."""
    def cell(value: Number, where: str) -> str:
        if blanks_for_zero and value == 0:
            return ""
        return fmt(value, where) if fmt else format_number(value)

    p = report["proactive"]
    apps = report["applications"]

    def app(path: t.AppPath) -> list[str]:
        row = apps[path[0]] if len(path) == 1 else apps[path[0]][path[1]]
        return [cell(v, f"{t.path_name(path)}[{i}]") for i, v in enumerate(row)]

    def counts(field: str) -> list[str]:
        return [cell(p[field][k], f"proactive.{field}.{k}") for k in t.PROACTIVE_COUNT_FIELDS]

    def single(field: str) -> str:
        return cell(p[field], f"proactive.{field}")

    review = [cell(report["reviews_and_litigation"][g][k], f"reviews_and_litigation.{g}.{k}")
              for g in t.REVIEW_GROUPS for k in t.REVIEW_PARTS]
    return app, counts, single, review


def title(report: dict[str, Any], spaced: bool = True) -> str:
    """The report's title line (the seed spaces the year: ``XXX 2023 年…``)."""
    year = report.get("year") or ""
    if spaced:
        return f"{report.get('agency', '')} {year} 年政府信息公开工作年度报告".strip()
    return f"{report.get('agency', '')}{year}年政府信息公开工作年度报告"


def render_text(report: dict[str, Any], blanks_for_zero: bool = False,
                fmt: Formatter | None = None) -> str:
    """The report as text copied from an agency page (tab-separated, seed layout)."""
    app, counts, single, review = _values(report, blanks_for_zero, fmt)
    proactive = [
        "第二十条第（一）项\t\t\t",
        "信息内容\t" + "\t".join(t.PROACTIVE_COUNT_LABELS),
        "规章\t" + "\t".join(counts("regulations")),
        "行政规范性文件\t" + "\t".join(counts("normative_documents")),
    ]
    for head, header, fields in (
        ("第二十条第（五）项", "本年处理决定数量", ("licensing",)),
        ("第二十条第（六）项", "本年处理决定数量", ("penalty", "enforcement")),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", ("fees_10k_yuan",)),
    ):
        proactive += [f"{head}\t\t\t", f"信息内容\t{header}\t\t"]
        proactive += [f"{t.PROACTIVE_LABELS[f]}\t{single(f)}\t\t" for f in fields]

    lines = list(_APP_TEXT_HEAD)
    for path in t.APPLICATION_PATHS:
        if path[0] in t.TOP_ROWS:
            prefix, suffix = [t.TOP_ROWS[path[0]], ""], [""]
        elif path == ("granted",):
            prefix, suffix = [t.TOP_ROWS["results"], _seed_label(t.GROUPS[0].label)], [""]
        elif path == ("total",):
            prefix, suffix = [_seed_label(t.GROUP_BY_KEY["total"].label)], ["", ""]
        elif len(path) == 1:
            prefix, suffix = ["", _seed_label(t.GROUP_BY_KEY[path[0]].label)], [""]
        elif path == ("other", "other"):
            prefix, suffix = ["3.其他", ""], [""]  # the seed's row that lost its leading tab
        else:
            group = t.GROUP_BY_KEY[path[0]]
            index = [s.key for s in group.subs].index(path[1])
            prefix = ["", _seed_label(group.label) if index == 0 else "", group.subs[index].label]
            suffix = []
        lines.append("\t".join(prefix + app(path) + suffix))

    out = ["", "", title(report), "", "二、主动公开政府信息情况", "", *proactive, "",
           "三、收到和处理政府信息公开申请情况", "", *lines, "",
           "四、政府信息公开行政复议、行政诉讼情况", "", *_REVIEW_TEXT_HEAD, "\t".join(review), ""]
    return "\n".join(out)


@dataclass
class LayoutCell:
    """A cell of the template's printed table: text plus its spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    number: bool = False


Layout = list[list[LayoutCell]]


def flatten_layout(rows: Layout) -> Layout:
    """The same table with every span replaced by empty cells on the grid (how some
    agencies' editors export it)."""
    taken: dict[tuple[int, int], LayoutCell | None] = {}
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = cell if (dr, dc) == (0, 0) else None
            c += cell.colspan
    width = 1 + max(c for _, c in taken)
    return [[LayoutCell(cell.text, number=cell.number) if (cell := taken.get((r, c)))
             else LayoutCell("") for c in range(width)] for r in range(len(rows))]


def table_layout(report: dict[str, Any], blanks_for_zero: bool = False,
                 fmt: Formatter | None = None) -> list[tuple[str, Layout]]:
    """The three tables of the template (heading, rows) with their official rowspan and
    colspan; the HTML renderer writes them, tests build .docx files from them."""
    app, counts, single, review = _values(report, blanks_for_zero, fmt)

    def nums(values: list[str], colspan: int = 1) -> list[LayoutCell]:
        return [LayoutCell(v, colspan=colspan, number=True) for v in values]

    C = LayoutCell
    proactive: Layout = [
        [C("第二十条第（一）项", colspan=4)],
        [C("信息内容")] + [C(h) for h in t.PROACTIVE_COUNT_LABELS],
        [C("规章")] + nums(counts("regulations")),
        [C("行政规范性文件")] + nums(counts("normative_documents")),
    ]
    for head, header, fields in (
        ("第二十条第（五）项", "本年处理决定数量", ("licensing",)),
        ("第二十条第（六）项", "本年处理决定数量", ("penalty", "enforcement")),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", ("fees_10k_yuan",)),
    ):
        proactive += [[C(head, colspan=4)], [C("信息内容"), C(header, colspan=3)]]
        proactive += [[C(t.PROACTIVE_LABELS[f])] + nums([single(f)], 3) for f in fields]

    applications: Layout = [
        [C(_NOTE, rowspan=3, colspan=3), C("申请人情况", colspan=7)],
        [C("自然人", rowspan=2), C("法人或其他组织", colspan=5), C("总计", rowspan=2)],
        [C(h) for h in t.COLUMN_LABELS[1:6]],
    ]
    outcome_rows = len(t.OUTCOME_PATHS) + 1
    for path in t.APPLICATION_PATHS:
        if path[0] in t.TOP_ROWS:
            labels = [C(t.TOP_ROWS[path[0]], colspan=3)]
        elif len(path) == 1:
            labels = [C(t.GROUP_BY_KEY[path[0]].label, colspan=2)]
        else:
            group = t.GROUP_BY_KEY[path[0]]
            index = [sub.key for sub in group.subs].index(path[1])
            labels = [C(group.label, rowspan=len(group.subs))] if index == 0 else []
            labels.append(C(group.subs[index].label))
        if path == ("granted",):
            labels.insert(0, C(t.TOP_ROWS["results"], rowspan=outcome_rows))
        applications.append(labels + nums(app(path)))

    parts = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    reviews: Layout = [
        [C("行政复议", colspan=5), C("行政诉讼", colspan=10)],
        [C(p, rowspan=2) for p in parts]
        + [C("未经复议直接起诉", colspan=5), C("复议后起诉", colspan=5)],
        [C(p) for p in parts * 2],
        nums(review),
    ]
    return [("二、主动公开政府信息情况", proactive),
            ("三、收到和处理政府信息公开申请情况", applications),
            ("四、政府信息公开行政复议、行政诉讼情况", reviews)]


def _table(rows: Layout, merged: bool) -> str:
    """One ``<table>``; without ``merged`` every span becomes empty cells on the grid."""
    if not merged:
        rows = flatten_layout(rows)
    out = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">',
           "<tbody>"]
    for row in rows:
        tds = []
        for cell in row:
            attrs = "".join(f' {a}="{v}"' for a, v in (("rowspan", cell.rowspan),
                                                        ("colspan", cell.colspan)) if v > 1)
            text = html.escape(cell.text) if cell.text else "&nbsp;"
            align = "center" if cell.number else "left"
            tds.append(f'<td{attrs} valign="middle"><p style="text-align:{align}">'
                       f'<span style="font-size:14px">{text}</span></p></td>')
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def render_html(report: dict[str, Any], blanks_for_zero: bool = False, merged: bool = True,
                fmt: Formatter | None = None) -> str:
    """The report as an agency web page: numbers inside ``<p><span>``, ``&nbsp;`` for empty
    cells, the template's rowspan/colspan when ``merged``."""
    heading = html.escape(title(report, spaced=False))
    body = []
    for section, rows in table_layout(report, blanks_for_zero, fmt):
        body += [f"<p>{html.escape(section)}</p>", _table(rows, merged)]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{heading}</title></head><body>", '<div class="article">',
        f"<h1>{heading}</h1>", *body, "</div></body></html>", ""])
