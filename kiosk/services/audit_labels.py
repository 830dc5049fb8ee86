"""Words people read for audit rows: Chinese names of actions, object types and fields, and a
readable before/after diff.

Audit rows are written by many modules with short English codes (``login``, ``create``,
``content_approve``); the staff panel and the CSV export show these names instead. A code
without a name is shown as it is, so a new kind of write is never hidden.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from .review import STATE_LABELS
from .review_validate import GUIDE_LABELS, NOTICE_LABELS, TICKER_LABELS

ACTION_LABELS: dict[str, str] = {
    # sign-in and accounts (services/accounts.py, services/users.py)
    "login": "登录", "login_failed": "登录失败", "login_refused": "拒绝登录", "lockout": "账户锁定",
    "logout": "退出登录", "disable": "停用", "enable": "启用", "unlock": "解锁",
    "reset_password": "重置密码", "change_password": "修改密码",
    # generic writes
    "create": "新建", "update": "修改", "delete": "删除", "revoke": "停用", "cancel": "撤销",
    "replace": "替换", "import": "导入", "pair": "配对", "reload": "刷新屏幕", "identify": "识别屏幕",
    "recheck": "重新核对", "override": "人工认定", "excel_import": "Excel 导入", "evaluation_import": "好差评导入",
    # the review workflow (services/review.py)
    "content_draft": "保存草稿", "content_submit": "提交审核", "content_discard": "放弃草稿",
    "content_approve": "审核通过", "content_reject": "审核退回", "content_publish": "发布上屏",
    "content_rollback": "回滚", "content_expire": "到期下线",
    # the audit log itself (services/audit.py)
    "audit_prune": "清理过期日志", "audit_export": "导出审计日志",
    # jobs and the search lexicon (services/popular.py, services/search/terms.py)
    "popular_refresh": "热门事项排名变化", "search_term_add": "新增搜索词",
    "search_term_edit": "修改搜索词", "search_term_delete": "删除搜索词",
    # the demand page (services/demand/report.py)
    "demand_export": "导出需求分析报表",
}

TYPE_LABELS: dict[str, str] = {
    "user": "用户", "api_token": "API 令牌", "screen": "屏幕", "schedule_entry": "排期",
    "alert": "紧急通知", "content": "内容导入", "disclosure_report": "公开年报",
    "guide": "办事指南", "notice": "通知公告", "ticker": "滚动字幕", "bundle": "一件事",
    "playlist": "播放列表", "evaluation_stat": "好差评统计", "audit_log": "审计日志",
    "popular": "热门事项", "search_term": "搜索词库", "demand": "需求分析",
}

FIELD_LABELS: dict[str, str] = {
    "name": "名称", "code": "编码", "title": "标题", "text": "文字", "ip": "IP 地址", "reason": "原因",
    "failures": "连续失败次数", "role": "角色", "label": "用途说明",
    "user": "所属用户", "group": "分组", "names": "名称", "count": "数量", "kind": "类型",
    "layout": "版式", "state": "状态", "status": "状态", "version": "版本", "from_version": "来自版本",
    "revoked_at": "停用时间", "seconds": "秒数", "level": "级别", "deleted": "删除条数",
    "cutoff": "删除此时间之前", "days": "保留天数", "filters": "筛选条件", "value": "值",
    "idle_seconds": "空闲返回时间（秒）", "guides": "办事指南（按顺序）", "views": "近 30 天浏览次数",
    "left": "群众说法", "right": "规范用语",
}

REASON_LABELS = {"password": "密码错误", "unknown_user": "用户名不存在", "locked": "账户已锁定",
                 "disabled": "账户已停用", "logout": "主动退出", "idle": "长时间未操作"}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "reason": REASON_LABELS,
    "role": {"admin": "管理员", "reviewer": "审核员", "editor": "编辑", "viewer": "只读查看"},
    "state": STATE_LABELS,
    "status": {**STATE_LABELS, "expired": "已下线"},
}

EMPTY = "（空）"
MAX_SHOWN = 160  # characters of one value in the page; the CSV keeps everything
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")
_MISSING = object()


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def type_label(object_type: str) -> str:
    return TYPE_LABELS.get(object_type, object_type)


# content rows carry the fields of their edit form: "name" of a guide is its 事项名称
CONTENT_FIELD_LABELS = {"guide": GUIDE_LABELS, "notice": NOTICE_LABELS, "ticker": TICKER_LABELS}


def field_label(key: str, object_type: str = "") -> str:
    return CONTENT_FIELD_LABELS.get(object_type, {}).get(key) or FIELD_LABELS.get(key, key)


def compact_json(value: Any) -> str:
    """One line, Chinese as is, keys sorted: what the CSV shows of ``before``/``after``."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str)


def show_value(key: str, value: Any, tz: tzinfo | None = None) -> str:
    """A value as a person reads it: times in the hall's zone, 是/否, lists joined."""
    if value is _MISSING or value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str):
        if tz is not None and _ISO_TIME.match(value):
            try:
                return datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            except ValueError:
                pass
        if key in VALUE_LABELS:
            return VALUE_LABELS[key].get(value, value)
        text = value
    elif isinstance(value, list) and all(isinstance(x, str | int | float) for x in value):
        text = "、".join(str(x) for x in value)
    elif isinstance(value, dict | list):
        text = compact_json(value)
    else:
        text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    old: str | None  # None: the field is not on that side (a pure addition or removal)
    new: str | None


@dataclass(frozen=True)
class Diff:
    changes: list[Change]
    unchanged: int  # fields present on both sides with the same value (not listed)


def _as_fields(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return value if isinstance(value, dict) else {"value": value}


def changes(before: Any, after: Any, tz: tzinfo | None = None, object_type: str = "") -> Diff:
    """What changed between ``before`` and ``after``, field by field, in reading order.

    A field only on one side is shown as added or removed; a field with the same value on
    both sides is counted but not listed (a published guide carries every field, and a
    reviewer checking one change should see that change, not 25 identical lines).
    """
    old, new = _as_fields(before), _as_fields(after)
    keys = list(dict.fromkeys([*(old or {}), *(new or {})]))
    out: list[Change] = []
    unchanged = 0
    for key in keys:
        a = old.get(key, _MISSING) if old is not None else _MISSING
        b = new.get(key, _MISSING) if new is not None else _MISSING
        if a is not _MISSING and b is not _MISSING and a == b:
            unchanged += 1
            continue
        out.append(Change(key, field_label(key, object_type),
                          None if a is _MISSING else show_value(key, a, tz),
                          None if b is _MISSING else show_value(key, b, tz)))
    return Diff(out, unchanged)
