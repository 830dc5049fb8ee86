"""Validation of what staff type into the content forms, with the importer's own rules.

The importer stops at the first mistake of a file; a form must show every mistake next to its
field at once. So each field is checked on its own through the importer's :class:`Entry`
(same enumerations, lengths, URL and number rules, same Chinese messages) and the failures
are collected per field. The result is the JSON snapshot a :class:`ContentVersion` stores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from .importer.errors import ImportFailure, Where
from .importer.fields import Entry
from .importer.parsers import (
    AUDIENCES,
    CASE_TYPES,
    ITEM_TYPES,
    MATERIAL_FORMS,
    MAX_ALIAS,
    NECESSITIES,
    NOTICE_KINDS,
    SCOPES,
)
from .importer.sanitize import clean_html

GUIDE_LABELS: dict[str, str] = {
    "code": "实施编码", "name": "事项名称", "item_type": "事项类型", "department": "实施部门",
    "basis": "设定依据", "conditions": "受理条件", "materials": "申请材料", "process": "办理流程",
    "legal_limit_days": "法定时限（工作日）", "promised_limit_days": "承诺时限（工作日）",
    "case_type": "办件类型", "fee": "收费", "location": "办理地点", "window": "办理窗口",
    "hours": "办理时间", "phone": "咨询电话", "complaint_phone": "监督投诉电话",
    "visits": "到现场次数", "online": "是否网办", "online_url": "网办地址", "scope": "通办范围",
    "audience": "服务对象", "themes": "主题分类", "faq": "常见问题", "aliases": "事项俗称／关键词",
    "publish_from": "生效时间", "expire_at": "下线时间",
}
NOTICE_LABELS: dict[str, str] = {
    "code": "编码", "kind": "类型", "title": "标题", "body_html": "正文",
    "publish_from": "生效时间", "expire_at": "下线时间",
}
TICKER_LABELS: dict[str, str] = {
    "code": "编码", "text": "滚动文字", "position": "顺序", "groups": "屏幕分组",
    "publish_from": "生效时间", "expire_at": "下线时间",
}
NOTICE_KIND_LABELS = {"notice": "通知公告", "publicity": "特色宣传"}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

Errors = dict[str, str]


def plain(message: str) -> str:
    """Importer messages end with an English gloss for the CLI; staff read the Chinese."""
    return re.sub(r"\s*\([ -~≥]*\)$", "", message)


def _check(errors: Errors, key: str, fn: Callable[[], Any], default: Any = None) -> Any:
    try:
        return fn()
    except ImportFailure as exc:
        errors.setdefault(key, plain(exc.message))
        return default


def lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；\n]", value or "") if part.strip()]


def check_code(errors: Errors, code: str) -> str:
    code = (code or "").strip()
    if not code:
        errors["code"] = "请填写编码"
    elif not _CODE.match(code):
        errors["code"] = "编码只能包含字母、数字、点、横线和下划线，最多 64 个字符"
    return code


def _datetimes(e: Entry, errors: Errors, raw: Mapping[str, Any], tz: tzinfo) -> dict[str, Any]:
    out = {}
    for key in ("publish_from", "expire_at"):
        value = (raw.get(key) or "").strip().replace("T", " ")
        e.data[key] = value or None  # type: ignore[index]
        out[key] = _check(errors, key, lambda k=key: e.datetime_value(k, tz))
    if out["publish_from"] and out["expire_at"] and out["expire_at"] <= out["publish_from"]:
        errors.setdefault("expire_at", "下线时间必须晚于生效时间")
    return out


def guide_snapshot(raw: Mapping[str, Any], tz: tzinfo, departments: set[str]) -> tuple[dict[str, Any], Errors]:
    """``raw`` is the form as a dict of strings (materials: a list of dicts of strings).

    Returns the snapshot (datetimes as aware values, converted by the caller) and the errors.
    """
    errors: Errors = {}
    data: dict[str, Any] = {
        "name": raw.get("name"), "item_type": raw.get("item_type") or None,
        "basis": raw.get("basis"), "conditions": raw.get("conditions"),
        "process": lines(raw.get("process")),
        "legal_limit_days": (raw.get("legal_limit_days") or "").strip() or None,
        "promised_limit_days": (raw.get("promised_limit_days") or "").strip() or None,
        "case_type": raw.get("case_type") or None, "fee": raw.get("fee"),
        "location": raw.get("location"), "window": raw.get("window"), "hours": raw.get("hours"),
        "phone": raw.get("phone"), "complaint_phone": raw.get("complaint_phone"),
        "visits": (raw.get("visits") or "").strip() or None,
        "online_url": (raw.get("online_url") or "").strip() or None,
        "scope": raw.get("scope") or None,
        "audience": list(raw.get("audience") or []), "themes": split_list(raw.get("themes")),
        "aliases": split_list(raw.get("aliases")),
    }
    e = Entry(Where("表单"), data)
    snap: dict[str, Any] = {"code": check_code(errors, raw.get("code", ""))}
    dept = (raw.get("department") or "").strip()
    if dept not in departments:
        errors["department"] = "请选择实施部门"
    snap["department"] = dept
    online = raw.get("online") in ("1", "on", "true", True)
    snap.update({
        "name": _check(errors, "name", lambda e=e: e.text("name", required=True, max_len=200), ""),
        "item_type": _check(errors, "item_type", lambda e=e: e.choice("item_type", ITEM_TYPES, "事项类型"), ""),
        "basis": _check(errors, "basis", lambda e=e: e.text("basis"), ""),
        "conditions": _check(errors, "conditions", lambda e=e: e.text("conditions"), ""),
        "process": _check(errors, "process", lambda e=e: e.text_list("process", unique=False), []),
        "legal_limit_days": _check(errors, "legal_limit_days", lambda e=e: e.integer("legal_limit_days")),
        "promised_limit_days": _check(errors, "promised_limit_days", lambda e=e: e.integer("promised_limit_days")),
        "case_type": _check(errors, "case_type", lambda e=e: e.choice("case_type", CASE_TYPES, "办件类型"), ""),
        "fee": _check(errors, "fee", lambda e=e: e.text("fee"), "") or "不收费",
        "location": _check(errors, "location", lambda e=e: e.text("location"), ""),
        "window": _check(errors, "window", lambda e=e: e.text("window", max_len=100), ""),
        "hours": _check(errors, "hours", lambda e=e: e.text("hours"), ""),
        "phone": _check(errors, "phone", lambda e=e: e.text("phone", max_len=60), ""),
        "complaint_phone": _check(errors, "complaint_phone", lambda e=e: e.text("complaint_phone", max_len=60), ""),
        "visits": _check(errors, "visits", lambda e=e: e.integer("visits", default=1), 1),
        "online": online,
        "online_url": _check(errors, "online_url", lambda e=e: e.url("online_url", required=online)),
        "scope": _check(errors, "scope", lambda e=e: e.choice("scope", SCOPES, "通办范围", required=False, default=""), ""),
        "audience": _check(errors, "audience", lambda e=e: e.text_list("audience", choices=AUDIENCES, label="服务对象"), []),
        "themes": _check(errors, "themes", lambda e=e: e.text_list("themes", max_len=60), []),
        "aliases": _check(errors, "aliases", lambda e=e: e.text_list("aliases", max_len=MAX_ALIAS), []),
    })
    for key in ("item_type", "case_type", "name"):
        if errors.get(key) in ("缺少必填字段", "不能为空"):
            errors[key] = f"请{'填写' if key == 'name' else '选择'}{GUIDE_LABELS[key]}"
    if errors.get("online_url") == "缺少必填字段":
        errors["online_url"] = "选择了可网办时请填写网办地址"
    legal, promised = snap["legal_limit_days"], snap["promised_limit_days"]
    if legal is not None and promised is not None and promised > legal:
        errors.setdefault("promised_limit_days", f"承诺时限 {promised} 天不能超过法定时限 {legal} 天")
    snap["faq"] = _faq(errors, raw.get("faq"))
    snap["materials"] = _materials(errors, raw.get("materials") or [])
    snap.update(_datetimes(e, errors, raw, tz))
    return snap, errors


def _faq(errors: Errors, text: str | None) -> list[dict[str, str]]:
    """One question per line: ``问题 | 回答``."""
    out = []
    for n, line in enumerate(lines(text), 1):
        q, sep, a = line.partition("|")
        if not sep or not q.strip() or not a.strip():
            errors.setdefault("faq", f"第 {n} 行应为“问题 | 回答”")
            continue
        out.append({"q": q.strip(), "a": a.strip()})
    return out


def _materials(errors: Errors, rows: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n, row in enumerate(rows, 1):
        data = {k: (row.get(k) or "").strip() or None for k in ("name", "form", "copies", "necessity", "note")}
        e = Entry(Where("表单"), data)
        key = f"materials.{n}"
        item = {
            "name": _check(errors, f"{key}.name", lambda e=e: e.text("name", required=True, max_len=300), ""),
            "form": _check(errors, f"{key}.form", lambda e=e: e.choice("form", MATERIAL_FORMS, "材料形式"), ""),
            "copies": _check(errors, f"{key}.copies", lambda e=e: e.integer("copies", default=1), 1),
            "necessity": _check(errors, f"{key}.necessity", lambda e=e: e.choice("necessity", NECESSITIES, "必要性"), ""),
            "note": _check(errors, f"{key}.note", lambda e=e: e.opt_text("note")),
            "blank_form": row.get("blank_form") or None,
            "sample_form": row.get("sample_form") or None,
        }
        if item["name"] and item["name"] in [m["name"] for m in out]:
            errors.setdefault(f"{key}.name", f"重复的材料名称“{item['name']}”")
        out.append(item)
    return out


def notice_snapshot(raw: Mapping[str, Any], tz: tzinfo) -> tuple[dict[str, Any], Errors]:
    """A notice: the body is rich text, cleaned by the importer's nh3 rules before storing."""
    errors: Errors = {}
    data = {"kind": raw.get("kind") or None, "title": raw.get("title"), "body": raw.get("body")}
    e = Entry(Where("表单"), data)
    snap: dict[str, Any] = {"code": check_code(errors, raw.get("code", ""))}
    snap["kind"] = _check(errors, "kind", lambda e=e: e.choice("kind", NOTICE_KINDS, "公告类型"), "notice")
    snap["title"] = _check(errors, "title", lambda e=e: e.text("title", required=True, max_len=200), "")
    snap["body_html"] = clean_html(_check(errors, "body_html", lambda e=e: e.text("body"), "") or "")
    if not snap["body_html"] and "body_html" not in errors:
        errors["body_html"] = "请填写正文"
    snap.update(_datetimes(e, errors, raw, tz))
    return snap, errors


def ticker_snapshot(raw: Mapping[str, Any], tz: tzinfo, groups: set[str]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    data = {"text": raw.get("text"), "position": (raw.get("position") or "").strip() or None,
            "groups": split_list(raw.get("groups"))}
    e = Entry(Where("表单"), data)
    snap: dict[str, Any] = {"code": check_code(errors, raw.get("code", ""))}
    snap["text"] = _check(errors, "text", lambda e=e: e.text("text", required=True, max_len=500), "")
    snap["position"] = _check(errors, "position", lambda e=e: e.integer("position", default=0), 0)
    snap["groups"] = _check(errors, "groups", lambda e=e: e.text_list("groups", max_len=64), [])
    unknown = [g for g in snap["groups"] or [] if g not in groups]
    if unknown:
        errors.setdefault("groups", f"没有这个屏幕分组：{'、'.join(unknown)}")
    snap.update(_datetimes(e, errors, raw, tz))
    return snap, errors


def to_json(snap: dict[str, Any]) -> dict[str, Any]:
    """Datetimes as ISO strings for the JSON column."""
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in snap.items()}
