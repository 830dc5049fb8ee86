"""Arithmetic checks of a parsed report (the template's own 勾稽关系).

Every check is one equation over named cells, and lists those cells in ``cells``. Each cell
appears in an equation once, so changing one cell by any non-zero amount fails exactly the
checks whose ``cells`` name it and no other — a broken report points at its broken cell:

* an applicant cell (columns 0–5) of an outcome row → ``row_total`` of that row and
  ``grand_total`` of that column; its 总计 cell → the same with column 6;
* a cell of （七）总计 → its ``row_total``, ``grand_total`` and ``balance`` of that column;
* a cell of 一、本年新收 or 四、结转下年度 → its ``row_total`` and ``balance`` of the column;
* a cell of 二、上年结转 → the same, plus ``carry_over`` of the column when last year's
  report is given;
* a review/litigation cell → the one ``review_total``/``litigation_total`` of its group;
* 主动公开 figures have no arithmetic relation and are never checked.
"""

from __future__ import annotations

from typing import Any

from . import template as t
from .errors import DisclosureError


def _cell(path: t.AppPath, col: int) -> str:
    return f"{t.path_name(path)}[{col}]"


def _row(apps: dict[str, Any], path: t.AppPath) -> list[int]:
    node: Any = apps
    for part in path:
        node = node[part]
    return list(node)


def _verdict(ok: bool) -> str:
    return "一致" if ok else "不一致"


def validate_shape(report: Any, name: str = "report",
                   paths: tuple[t.AppPath, ...] = t.APPLICATION_PATHS) -> None:
    """Raise :class:`DisclosureError` naming the first field that is missing or not a
    whole number — reports also arrive as hand-written JSON (``content/disclosure``), and a
    ``KeyError`` deep inside a check would not tell anyone what to fix."""

    def need(ok: bool, where: str, what: str) -> None:
        if not ok:
            raise DisclosureError(f"报告数据格式不对：{what} / malformed report: {what}", where)

    def count(value: Any) -> bool:
        return type(value) is int and value >= 0

    need(isinstance(report, dict), name, "not an object")
    apps = report.get("applications")
    need(isinstance(apps, dict), f"{name}.applications", "missing")
    for path in paths:
        node: Any = apps
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        need(isinstance(node, list) and len(node) == 7 and all(map(count, node)),
             f"{name}.{t.path_name(path)}", "需要 7 个非负整数 / expected 7 whole numbers")
    if paths == t.APPLICATION_PATHS:
        reviews = report.get("reviews_and_litigation")
        for group in t.REVIEW_GROUPS:
            r = reviews.get(group) if isinstance(reviews, dict) else None
            need(isinstance(r, dict) and all(count(r.get(k)) for k in t.REVIEW_PARTS),
                 f"{name}.reviews_and_litigation.{group}",
                 "需要 upheld/corrected/other/pending/total 五个非负整数 / expected five counts")


def check_report(report: dict[str, Any], previous: dict[str, Any] | None = None) -> list[dict]:
    """All checks of ``report`` in a stable order; ``previous`` (last year's report dict)
    adds the ``carry_over`` checks. Each is ``{"rule", "ok", "message", "cells"}``.
    A report dict of the wrong shape raises :class:`DisclosureError` naming the field."""
    validate_shape(report)
    if previous is not None:
        validate_shape(previous, "previous", (("carried_forward",),))
    apps = report["applications"]
    checks: list[dict[str, Any]] = []

    def add(rule: str, ok: bool, message: str, cells: list[str]) -> None:
        checks.append({"rule": rule, "ok": ok, "message": message, "cells": cells})

    # (a) every application row: 总计 = the six applicant columns
    for path in t.APPLICATION_PATHS:
        row = _row(apps, path)
        parts = sum(row[:6])
        add("row_total", parts == row[6],
            f"「{t.row_label(path)}」行：「总计」列为 {row[6]}，「自然人」至「其他」六列之和为 "
            f"{parts}，{_verdict(parts == row[6])}",
            [_cell(path, c) for c in range(7)])

    # (b) per column: （七）总计 = （一）…（六）
    total = _row(apps, ("total",))
    for col, label in enumerate(t.COLUMN_LABELS):
        parts = sum(_row(apps, p)[col] for p in t.OUTCOME_PATHS)
        add("grand_total", parts == total[col],
            f"「三、（七）总计」行「{label}」列为 {total[col]}，（一）至（六）各项之和为 {parts}，"
            f"{_verdict(parts == total[col])}",
            [_cell(("total",), col)] + [_cell(p, col) for p in t.OUTCOME_PATHS])

    # (c) per column: 第一项 + 第二项 = 第三项（七）+ 第四项
    new, carried_over = _row(apps, ("new",)), _row(apps, ("carried_over",))
    forward = _row(apps, ("carried_forward",))
    for col, label in enumerate(t.COLUMN_LABELS):
        left, right = new[col] + carried_over[col], total[col] + forward[col]
        add("balance", left == right,
            f"「{label}」列：第一项本年新收 {new[col]} 加第二项上年结转 {carried_over[col]} 为 "
            f"{left}，第三项（七）总计 {total[col]} 加第四项结转下年度 {forward[col]} 为 {right}，"
            f"{_verdict(left == right)}",
            [_cell(p, col) for p in (("new",), ("carried_over",), ("total",),
                                     ("carried_forward",))])

    # (d) each review/litigation group: 总计 = 维持 + 纠正 + 其他 + 尚未审结
    reviews = report["reviews_and_litigation"]
    for group, label in zip(t.REVIEW_GROUPS, t.REVIEW_GROUP_LABELS, strict=True):
        r = reviews[group]
        parts = sum(r[k] for k in t.REVIEW_PARTS[:4])
        add("review_total" if group == "review" else "litigation_total", parts == r["total"],
            f"「{label}」：「总计」为 {r['total']}，结果维持、结果纠正、其他结果、尚未审结之和为 "
            f"{parts}，{_verdict(parts == r['total'])}",
            [f"reviews_and_litigation.{group}.{k}" for k in t.REVIEW_PARTS])

    # (e) per column: last year's 四、结转下年度 = this year's 二、上年结转
    if previous is not None:
        before = _row(previous["applications"], ("carried_forward",))
        year = previous.get("year")
        when = f"上年（{year} 年）" if year else "上年"
        for col, label in enumerate(t.COLUMN_LABELS):
            ok = before[col] == carried_over[col]
            add("carry_over", ok,
                f"「{label}」列：{when}报告「四、结转下年度继续办理」为 {before[col]}，本年报告"
                f"「二、上年结转政府信息公开申请数量」为 {carried_over[col]}，{_verdict(ok)}",
                [f"previous.{_cell(('carried_forward',), col)}",
                 _cell(("carried_over",), col)])
    return checks
