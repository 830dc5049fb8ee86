"""Shape check for disclosure annual reports (政府信息公开工作年度报告, 2021 template).

The JSON is the output format of the disclosure parser (issue "Disclosure annual reports"); slides
read it key by key, so a missing key or a list of six numbers would break a slide on the wall
instead of here. Only the shape is checked — the template's arithmetic rules are the parser's
``checks`` and are stored as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from ..disclosure.playlists import PREFIX, refusal_for_ref
from .errors import Where
from .fields import describe
from .plan import Context, Plan, Spec

COLUMNS = ("natural_person", "commercial", "research", "social_welfare", "legal_services", "other", "total")
_DOCS = ("issued", "repealed", "in_force")
_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
_ROW = "row"  # a list of 7 non-negative integers in COLUMNS order

SHAPE: dict[str, Any] = {
    "agency": str,
    "year": int,
    "template": "2021",
    "proactive": {
        "regulations": dict.fromkeys(_DOCS, int),
        "normative_documents": dict.fromkeys(_DOCS, int),
        "licensing": int,
        "penalty": int,
        "enforcement": int,
        "fees_10k_yuan": float,
    },
    "applications": {
        "new": _ROW,
        "carried_over": _ROW,
        "granted": _ROW,
        "partially_granted": _ROW,
        "withheld": dict.fromkeys(
            (
                "state_secret", "prohibited_by_law", "three_securities_one_stability",
                "third_party_rights", "internal_affairs", "process_information",
                "enforcement_files", "query_matters",
            ),
            _ROW,
        ),
        "unable": dict.fromkeys(("not_held", "needs_creation", "still_unclear"), _ROW),
        "not_processed": dict.fromkeys(
            ("petition_complaint", "repeated", "publications", "massive_repeated", "confirm_reissue"),
            _ROW,
        ),
        "other": dict.fromkeys(("overdue_correction", "overdue_fee", "other"), _ROW),
        "total": _ROW,
        "carried_forward": _ROW,
    },
    "reviews_and_litigation": {
        "review": dict.fromkeys(_OUTCOMES, int),
        "litigation_direct": dict.fromkeys(_OUTCOMES, int),
        "litigation_after_review": dict.fromkeys(_OUTCOMES, int),
    },
}
_OPTIONAL = {"checks"}


def parse_disclosure(data: Any, file: str, ctx: Context, plan: Plan) -> None:
    """One report per file; stored as ``data`` = the whole object minus ``code``."""
    where = Where(file)
    if not isinstance(data, Mapping):
        where.fail(f"应为 JSON 对象，实际为 {describe(data)}")
    code = data.get("code")
    if not isinstance(code, str) or not code.strip() or len(code.strip()) > 64:
        where.at("code").fail(f"缺少或无效的报告编码 code: {describe(code)}")
    code = code.strip()
    body = {k: v for k, v in data.items() if k != "code"}
    _check(body, SHAPE, "", where, optional=_OPTIONAL)
    if "checks" in body:
        _check_checks(body["checks"], where)
    if not body["agency"].strip():
        where.at("agency").fail("不能为空 (required)")
    if len(body["agency"]) > 200:
        where.at("agency").fail("过长: 最多 200 个字符")
    if not 1990 <= body["year"] <= 2100:
        where.at("year").fail(f"不是有效的年份 {body['year']}")
    values = {"agency": body["agency"].strip(), "year": body["year"], "data": body}
    plan.add("disclosure", Spec(code, where, values), "报告编码")


def _fail(where: Where, path: str, message: str) -> NoReturn:
    where.at(path or None).fail(message)


def _check(value: Any, shape: Any, path: str, where: Where, optional: set[str] = frozenset()) -> None:
    if isinstance(shape, dict):
        if not isinstance(value, Mapping):
            _fail(where, path, f"应为 JSON 对象，实际为 {describe(value)}")
        for key in value:
            if key not in shape and key not in optional:
                _fail(where, _join(path, key), f"未知字段 {key!r}")
        for key, sub in shape.items():
            if key not in value:
                _fail(where, _join(path, key), "缺少必填字段 (required)")
            _check(value[key], sub, _join(path, key), where)
    elif shape == _ROW:
        if not isinstance(value, list) or len(value) != len(COLUMNS):
            _fail(where, path, f"应为 {len(COLUMNS)} 个整数的列表 ({', '.join(COLUMNS)})，实际为 {describe(value)}")
        for index, number in enumerate(value):
            _number(number, int, f"{path}[{index + 1}]", where)
    elif shape in (int, float):
        _number(value, shape, path, where)
    elif shape is str:
        if not isinstance(value, str):
            _fail(where, path, f"应为文本，实际为 {describe(value)}")
    elif value != shape:
        _fail(where, path, f"应为 {describe(shape)}，实际为 {describe(value)}")


def _number(value: Any, kind: type, path: str, where: Where) -> None:
    allowed = (int, float) if kind is float else (int,)
    if isinstance(value, bool) or not isinstance(value, allowed):
        _fail(where, path, f"应为{'数字' if kind is float else '整数'}，实际为 {describe(value)}")
    if value < 0:
        _fail(where, path, f"不能小于 0，实际为 {value}")


def _check_checks(checks: Any, where: Where) -> None:
    if not isinstance(checks, list):
        _fail(where, "checks", f"应为列表，实际为 {describe(checks)}")
    for index, check in enumerate(checks, start=1):
        path = f"checks[{index}]"
        if not isinstance(check, Mapping):
            _fail(where, path, f"应为 JSON 对象，实际为 {describe(check)}")
        for key in check:
            if key not in ("rule", "ok", "message", "cells"):
                _fail(where, f"{path}.{key}", f"未知字段 {key!r}")
        if not isinstance(check.get("rule"), str):
            _fail(where, f"{path}.rule", "应为文本")
        if not isinstance(check.get("ok"), bool):
            _fail(where, f"{path}.ok", "应为 true 或 false")
        if not isinstance(check.get("message"), str):
            _fail(where, f"{path}.message", "应为文本")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def check_playlist_reports(plan: Plan, session: Session) -> None:
    """A playlist item may name only a report that may reach the screens: checks that pass,
    or a reviewer's override of exactly its failures. Run after the writes (still inside the
    import's transaction, which a failure rolls back), because the import may have given a
    report new figures — clearing its override — or a new previous year."""
    for ref in plan.refs:
        if ref.kind == "disclosure":
            message = refusal_for_ref(session, PREFIX + ref.key)
            if message:
                ref.where.fail(message)
