"""Readers for the citizen-facing content files: departments, guides, bundles, 好差评, notices,
ticker. Each turns parsed file data into validated :class:`Spec` records on the :class:`Plan`.

Enumerations are the national 办事指南 vocabulary, spelt exactly as the standard spells it, so
that a guide imported here reads the same as the one on the provincial 政务服务网.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ...models import LEVELS
from .errors import Where
from .fields import Entry, list_entries
from .loader import CsvRow
from .plan import Context, Plan, Spec
from .sanitize import clean_html

ITEM_TYPES = (
    "行政许可", "行政确认", "行政给付", "行政征收", "行政裁决", "行政奖励", "其他行政权力", "公共服务",
)
CASE_TYPES = ("即办件", "承诺件")
NECESSITIES = ("必要", "容缺")
MATERIAL_FORMS = ("原件", "复印件", "原件/复印件", "电子")
SCOPES = ("无", "全区通办", "全市通办", "全省通办", "跨省通办")
AUDIENCES = ("自然人", "法人")
NOTICE_KINDS = ("notice", "publicity")
EVALUATION_COLUMNS = ("period", "window", "department", *LEVELS)

MAX_ALIAS = 40  # characters of one 事项俗称 / 关键词

GUIDE_FIELDS = (
    "code", "name", "item_type", "department", "basis", "conditions", "materials", "process",
    "legal_limit_days", "promised_limit_days", "case_type", "fee", "location", "window", "hours",
    "phone", "complaint_phone", "visits", "online", "online_url", "scope", "audience", "themes",
    "faq", "aliases",
)
MATERIAL_FIELDS = ("name", "form", "copies", "necessity", "blank_form", "sample_form", "note")


def parse_departments(data: Any, file: str, ctx: Context, plan: Plan) -> None:
    for e in list_entries(data, file):
        e.check_keys(("code", "name", "short_name", "phone"))
        code = e.text("code", required=True, max_len=64)
        values = {
            "name": e.text("name", required=True, max_len=200),
            "short_name": e.opt_text("short_name", max_len=60),
            "phone": e.opt_text("phone", max_len=60),
        }
        plan.add("departments", Spec(code, e.where, values), "部门编码")


def parse_guides(data: Any, file: str, ctx: Context, plan: Plan) -> None:
    for e in list_entries(data, file):
        e.check_keys(GUIDE_FIELDS)
        code = e.text("code", required=True, max_len=64)
        department = e.text("department", required=True, max_len=64)
        plan.ref("departments", department, e.at("department"))
        online = e.boolean("online")
        values: dict[str, Any] = {
            "name": e.text("name", required=True, max_len=200),
            "item_type": e.choice("item_type", ITEM_TYPES, "事项类型"),
            "basis": e.text("basis"),
            "conditions": e.text("conditions"),
            "process": e.text_list("process", unique=False),
            "legal_limit_days": e.integer("legal_limit_days"),
            "promised_limit_days": e.integer("promised_limit_days"),
            "case_type": e.choice("case_type", CASE_TYPES, "办件类型"),
            "fee": e.text("fee") or "不收费",
            "location": e.text("location"),
            "window": e.text("window", max_len=100),
            "hours": e.text("hours"),
            "phone": e.text("phone", max_len=60),
            "complaint_phone": e.text("complaint_phone", max_len=60),
            "visits": e.integer("visits", default=1),
            "online": online,
            "online_url": e.url("online_url", required=online),
            "scope": e.choice("scope", SCOPES, "通办范围", required=False, default=""),
            "audience": e.text_list("audience", choices=AUDIENCES, label="服务对象"),
            "themes": e.text_list("themes", max_len=60),
            "faq": [_faq(item) for item in e.entries("faq")],
            "aliases": e.text_list("aliases", max_len=MAX_ALIAS),
        }
        legal, promised = values["legal_limit_days"], values["promised_limit_days"]
        if legal is not None and promised is not None and promised > legal:
            e.fail("promised_limit_days", f"承诺时限 {promised} 天不能超过法定时限 {legal} 天")
        materials = [_material(item, ctx) for item in e.entries("materials")]
        names = [mat["name"] for mat in materials]
        for index, name in enumerate(names):
            if name in names[:index]:
                e.where.at(f"materials[{index + 1}].name").fail(f"重复的材料名称 \"{name}\"")
        spec = Spec(code, e.where, values, materials, {"department": department})
        plan.add("guides", spec, "实施编码")


def _material(e: Entry, ctx: Context) -> dict[str, Any]:
    e.check_keys(MATERIAL_FIELDS)
    return {
        "name": e.text("name", required=True, max_len=300),
        "form": e.choice("form", MATERIAL_FORMS, "材料形式"),
        "copies": e.integer("copies", default=1),
        "necessity": e.choice("necessity", NECESSITIES, "必要性"),
        "blank_form": ctx.files.store(e, "blank_form"),
        "sample_form": ctx.files.store(e, "sample_form"),
        "note": e.opt_text("note"),
    }


def _faq(e: Entry) -> dict[str, str]:
    e.check_keys(("q", "a"))
    return {"q": e.text("q", required=True), "a": e.text("a", required=True)}


def parse_bundles(data: Any, file: str, ctx: Context, plan: Plan) -> None:
    for e in list_entries(data, file):
        e.check_keys(("code", "name", "description", "guides", "promised_limit_days", "visits", "window"))
        code = e.text("code", required=True, max_len=64)
        values = {
            "name": e.text("name", required=True, max_len=200),
            "description": e.text("description"),
            "promised_limit_days": e.integer("promised_limit_days"),
            "visits": e.integer("visits", default=1),
            "window": e.text("window", max_len=100),
        }
        guides = e.text_list("guides", required=True, max_len=64)
        for index, guide in enumerate(guides, start=1):
            plan.ref("guides", guide, e.at_item("guides", index))
        plan.add("bundles", Spec(code, e.where, values, guides), "一件事编码")


def parse_evaluations(rows: list[CsvRow], file: str, ctx: Context, plan: Plan) -> None:
    for row in rows:
        e = Entry(Where(file, row.row, row.line), row.values)
        period = _period(e, row.values["period"])
        department = e.text("department", required=True, max_len=64)
        plan.ref("departments", department, e.at("department"))
        values: dict[str, Any] = {"period": period, "window": e.text("window", required=True, max_len=100)}
        for level in LEVELS:
            values[level] = e.integer(level, required=True)
        spec = Spec((period, values["window"]), e.where, values, refs={"department": department})
        plan.add("evaluations", spec, "(period, window)")


def _period(e: Entry, value: str) -> date:
    parts = value.strip().split("-")
    # ASCII digits, two at most for the month: str.isdigit() also takes "²" (which int()
    # refuses) and a month of 5,000 digits (more than int() converts)
    if len(parts) == 2 and len(parts[0]) == 4 and 1 <= len(parts[1]) <= 2 \
            and all(p.isascii() and p.isdigit() for p in parts):
        year, month = int(parts[0]), int(parts[1])
        if 1 <= month <= 12 and year >= 1900:
            return date(year, month, 1)
    e.fail("period", f"不是有效的月份 \"{value}\"，应为 YYYY-MM")


def parse_notices(data: Any, file: str, ctx: Context, plan: Plan) -> None:
    for e in list_entries(data, file):
        e.check_keys(("code", "kind", "title", "body", "image", "publish_from", "expire_at"))
        code = e.text("code", required=True, max_len=64)
        values = {
            "kind": e.choice("kind", NOTICE_KINDS, "公告类型"),
            "title": e.text("title", required=True, max_len=200),
            "body_html": clean_html(e.text("body")),
            "image": e.attachment("image", ctx.root, allow_url=True),
            "publish_from": e.datetime_value("publish_from", ctx.tz),
            "expire_at": e.datetime_value("expire_at", ctx.tz),
        }
        if not values["body_html"] and not values["image"]:
            e.fail("body", "body 与 image 至少填写一项 (body or image is required)")
        _check_window(e, values)
        plan.add("notices", Spec(code, e.where, values), "公告编码")


def parse_ticker(data: Any, file: str, ctx: Context, plan: Plan) -> None:
    for position, e in enumerate(list_entries(data, file), start=1):
        e.check_keys(("code", "text", "groups", "publish_from", "expire_at"))
        code = e.text("code", required=True, max_len=64)
        values = {
            "text": e.text("text", required=True, max_len=500),
            "position": position,
            "groups": e.text_list("groups", max_len=64),
            "publish_from": e.datetime_value("publish_from", ctx.tz),
            "expire_at": e.datetime_value("expire_at", ctx.tz),
        }
        for index, group in enumerate(values["groups"], start=1):
            plan.ref("groups", group, e.at_item("groups", index))
        _check_window(e, values)
        plan.add("ticker", Spec(code, e.where, values), "走马灯编码")


def _check_window(e: Entry, values: dict[str, Any]) -> None:
    start, end = values["publish_from"], values["expire_at"]
    if start is not None and end is not None and end <= start:
        e.fail("expire_at", "expire_at 必须晚于 publish_from")
