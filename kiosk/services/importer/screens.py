"""Reader for ``screens.yaml``: playlists, screen groups, schedule entries and screens.

Playlist item references are checked here against the content they name (same import or
database), because a dangling ``guide:...`` would otherwise surface as an empty slide on a wall.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from ...models import KINDS
from .. import popular
from .errors import Where
from .fields import Entry, describe, list_entries
from .plan import Context, Plan, Spec

SECTIONS = ("playlists", "groups", "schedule", "screens")
REF_KINDS = {"guide": "guides", "bundle": "bundles", "notice": "notices", "disclosure": "disclosure"}
REF_FORMS = ("guide:编码、bundle:编码、notice:编码、disclosure:编码、evaluation:hall、evaluation:department:部门编码、"
             f"popular:数量（{popular.MIN_N}–{popular.MAX_N}）")


def parse_screens(data: Any, file: str, ctx: Context, plan: Plan) -> None:
    if data is None:
        return
    if not isinstance(data, Mapping):
        Where(file, line=1).fail(f"应为映射，含 {'、'.join(SECTIONS)}，实际为 {describe(data)}")
    lines = getattr(data, "lines", {})
    for key in data:
        if key not in SECTIONS:
            Where(file, line=lines.get(key), field=str(key)).fail(
                f"未知的部分 {key!r}，应为 {'、'.join(SECTIONS)}"
            )

    def section(name: str) -> list[Entry]:
        return list_entries(data.get(name), file, section=name, line=lines.get(name))

    for e in section("playlists"):
        _playlist(e, plan)
    for e in section("groups"):
        _group(e, plan)
    for e in section("schedule"):
        _schedule(e, plan)
    for e in section("screens"):
        _screen(e, plan)


def _playlist(e: Entry, plan: Plan) -> None:
    e.check_keys(("name", "title", "items"))
    name = e.text("name", required=True, max_len=64)
    items = []
    for item in e.entries("items"):
        item.check_keys(("ref", "duration"))
        ref = item.text("ref", required=True, max_len=200)
        _check_ref(item, ref, plan)
        duration = item.integer("duration", default=15, minimum=1)
        items.append((ref, duration))
    values = {"title": e.text("title", max_len=200)}
    plan.add("playlists", Spec(name, e.where, values, items), "播放列表名称")


def _check_ref(item: Entry, ref: str, plan: Plan) -> None:
    kind, _, key = ref.partition(":")
    where = item.at("ref")
    if kind in REF_KINDS and key:
        plan.ref(REF_KINDS[kind], key, where)
    elif ref == "evaluation:hall":
        pass
    elif kind == popular.KIND:
        error = popular.ref_error(ref)
        if error:
            where.fail(error)
    elif kind == "evaluation" and key.startswith("department:") and key != "department:":
        plan.ref("departments", key.removeprefix("department:"), where)
    else:
        where.fail(f"不是有效的内容引用 \"{ref}\"，应为 {REF_FORMS}")


def _group(e: Entry, plan: Plan) -> None:
    e.check_keys(("name", "title", "default_playlist"))
    name = e.text("name", required=True, max_len=64)
    playlist = e.opt_text("default_playlist", max_len=64)
    if playlist is not None:
        plan.ref("playlists", playlist, e.at("default_playlist"))
    values = {"title": e.text("title", max_len=200)}
    plan.add("groups", Spec(name, e.where, values, refs={"default_playlist": playlist}), "分组名称")


def _schedule(e: Entry, plan: Plan) -> None:
    e.check_keys((
        "name", "playlist", "groups", "start_date", "end_date", "weekdays", "start", "end",
        "priority", "takeover", "enabled",
    ))
    name = e.text("name", required=True, max_len=100)
    playlist = e.text("playlist", required=True, max_len=64)
    plan.ref("playlists", playlist, e.at("playlist"))
    groups = e.text_list("groups", max_len=64)
    for index, group in enumerate(groups, start=1):
        plan.ref("groups", group, e.at_item("groups", index))
    weekdays = [1, 2, 3, 4, 5, 6, 7]
    if e.data.get("weekdays") is not None:
        weekdays = []
        for index, day in enumerate(e.sequence("weekdays", required=True), start=1):
            where = e.at_item("weekdays", index)
            if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
                where.fail(f"星期应为 1–7 的整数 (1 = 周一)，实际为 {describe(day)}")
            if day in weekdays:
                where.fail(f"重复的星期 {day}")
            weekdays.append(day)
        weekdays.sort()
    values = {
        "groups": groups,
        "start_date": e.date_value("start_date"),
        "end_date": e.date_value("end_date"),
        "weekdays": weekdays,
        "start_time": e.time_value("start", default=time(0, 0)),
        "end_time": e.time_value("end", default=time(0, 0)),
        "priority": e.integer("priority", default=0, minimum=None),
        "takeover": e.boolean("takeover"),
        "enabled": e.boolean("enabled", default=True),
    }
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        e.fail("end_date", "end_date 不能早于 start_date")
    plan.add("schedule", Spec(name, e.where, values, refs={"playlist": playlist}), "排期名称")


def _screen(e: Entry, plan: Plan) -> None:
    e.check_keys(("name", "group", "kind", "layout"))
    name = e.text("name", required=True, max_len=100)
    group = e.text("group", required=True, max_len=64)
    plan.ref("groups", group, e.at("group"))
    values = {
        "kind": e.choice("kind", KINDS, "屏幕类型"),
        "layout": e.opt_text("layout", max_len=64),
    }
    plan.add("screens", Spec(name, e.where, values, refs={"group": group}), "屏幕名称")
