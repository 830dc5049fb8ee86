"""Content import with bad input: nothing is stored, and the error names file, row and field."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import func, select

from kiosk import models as m
from kiosk.extensions import db
from kiosk.services.importer import ImportFailure, import_path

from .import_fixtures import disclosure_json, edit, table_counts

# -- bad input stores nothing -----------------------------------------------------------------

BAD = [
    pytest.param(
        "guides/gongan.yaml", "      necessity: 容缺\n", "      necessity: 可缺\n",
        ("guides/gongan.yaml", 1, "materials[2].necessity", "不是有效的必要性"), id="bad-enum",
    ),
    pytest.param(
        "guides/gongan.yaml", "      form: 原件\n      necessity: 容缺", "      form: 原价\n      necessity: 容缺",
        ("guides/gongan.yaml", 1, "materials[2].form", '不是有效的材料形式 "原价"'), id="bad-material-form",
    ),
    pytest.param(
        "guides/minzheng.yaml", "  name: 内地居民婚姻登记\n", "",
        ("guides/minzheng.yaml", 1, "name", "缺少必填字段"), id="missing-required",
    ),
    pytest.param(
        "guides/gongan.yaml", "  department: gongan\n  case_type: 即办件", "  department: gong-an\n  case_type: 即办件",
        ("guides/gongan.yaml", 2, "department", '引用了不存在的部门 "gong-an"'), id="unknown-department",
    ),
    pytest.param(
        "screens.yaml", "start_date: 2024-01-01", "start_date: 2024-02-30",
        ("screens.yaml", 1, "schedule[1].start_date", "不是有效的日期"), id="bad-date",
    ),
    pytest.param(
        "evaluations.csv", "2024-05,B区1号窗口,minzheng,80,5,0", "2024-05,B区1号窗口,minzheng,80,五,0",
        ("evaluations.csv", 2, "satisfied", "应为整数"), id="bad-csv-number",
    ),
    pytest.param(
        "evaluations.csv", "2024-06,A区1号窗口,gongan,130,12,1,0,1", "2024-06,A区1号窗口,gongan,130,12,1,0,-1",
        ("evaluations.csv", 3, "very_dissatisfied", "不能小于 0"), id="negative-count",
    ),
    pytest.param(
        "evaluations.csv", "2024-06,A区1号窗口", "2024-13,A区1号窗口",
        ("evaluations.csv", 3, "period", "不是有效的月份"), id="bad-period",
    ),
    pytest.param(
        "guides/minzheng.yaml", '- code: "M-JH"', '- code: "G-HK-QR"',
        ("guides/minzheng.yaml", 1, None, '重复的实施编码 "G-HK-QR"'), id="duplicate-code",
    ),
    pytest.param(
        "screens.yaml", '{ref: "bundle:move-in"', '{ref: "bundle:move-out"',
        ("screens.yaml", 1, "playlists[1].items[2].ref", '引用了不存在的一件事 "move-out"'), id="bad-playlist-ref",
    ),
    pytest.param(
        "screens.yaml", '{ref: "evaluation:hall"}', '{ref: "weather:today"}',
        ("screens.yaml", 1, "playlists[1].items[3].ref", "不是有效的内容引用"), id="unknown-ref-kind",
    ),
    pytest.param(
        "guides/gongan.yaml", "  online_url: https://www.hnzwfw.gov.cn/hk\n", "",
        ("guides/gongan.yaml", 2, "online_url", "缺少必填字段"), id="online-without-url",
    ),
    pytest.param(
        "screens.yaml", "weekdays: [1, 2, 3, 4, 5]", "weekdays: [1, 2, 8]",
        ("screens.yaml", 1, "schedule[1].weekdays[3]", "1–7"), id="bad-weekday",
    ),
    pytest.param(
        "screens.yaml", 'end: "13:30"', 'end: "25:30"',
        ("screens.yaml", 1, "schedule[1].end", "不是有效的时间"), id="bad-time",
    ),
    pytest.param(
        "screens.yaml", "kind: led_strip}", "kind: led_board}",
        ("screens.yaml", 2, "screens[2].kind", "不是有效的屏幕类型"), id="bad-screen-kind",
    ),
    pytest.param(
        "ticker.yaml", "groups: [lobby]", "groups: [hall]",
        ("ticker.yaml", 2, "groups[1]", '引用了不存在的屏幕分组 "hall"'), id="unknown-group",
    ),
    pytest.param(
        "notices.yaml", 'expire_at: "2024-10-08 00:00"', 'expire_at: "2024-10-08"',
        ("notices.yaml", 1, "expire_at", "YYYY-MM-DD HH:MM"), id="datetime-without-time",
    ),
    pytest.param(
        "guides/gongan.yaml", "  promised_limit_days: 15\n", "  promised_limt_days: 15\n",
        ("guides/gongan.yaml", 1, "promised_limt_days", "未知字段"), id="misspelt-field",
    ),
    pytest.param(
        "guides/gongan.yaml", "  promised_limit_days: 15\n", "  promised_limit_days: 90\n",
        ("guides/gongan.yaml", 1, "promised_limit_days", "不能超过法定时限"), id="promise-over-legal",
    ),
    pytest.param(
        "bundles.yaml", '"G-HK-QR", "M-JH"', '"G-HK-QR", "X-404"',
        ("bundles.yaml", 1, "guides[2]", '引用了不存在的办事指南 "X-404"'), id="bundle-unknown-guide",
    ),
    pytest.param(
        "disclosure/mini-2023.json", '"total": [0, 0, 0, 0, 0, 0, 0], "carried_forward"',
        '"total": [0, 0, 0, 0, 0, 0], "carried_forward"',
        ("disclosure/mini-2023.json", None, "applications.total", "7 个整数"), id="disclosure-short-row",
    ),
    pytest.param(
        "disclosure/mini-2023.json", '"licensing": 0', '"licensing": "无"',
        ("disclosure/mini-2023.json", None, "proactive.licensing", "应为整数"), id="disclosure-type",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "expected"), BAD)
def test_bad_input_stores_nothing_and_names_the_place(app, mini, name, old, new, expected):
    edit(mini, name, old, new)
    with app.app_context():
        with pytest.raises(ImportFailure) as info:
            import_path(mini)
        failure = info.value
        file, row, field, message = expected
        assert (failure.file, failure.row, failure.field) == (file, row, field), str(failure)
        assert message in failure.message, str(failure)
        assert str(failure).startswith(file)
        assert all(n == 0 for n in table_counts().values())
        assert db.session.scalar(select(func.count()).select_from(m.AuditLog)) == 0


def test_failure_message_names_file_row_line_and_field(app, mini):
    edit(mini, "guides/gongan.yaml", "      form: 原件\n      necessity: 容缺", "      form: 原价\n      necessity: 容缺")
    with app.app_context(), pytest.raises(ImportFailure) as info:
        import_path(mini)
    lines = (mini / "guides/gongan.yaml").read_text(encoding="utf-8").splitlines()
    line = lines.index("      form: 原价") + 1
    assert info.value.line == line
    assert str(info.value) == (
        f"guides/gongan.yaml 第1条 (line {line}) 字段 materials[2].form: "
        '不是有效的材料形式 "原价"，应为 原件、复印件、原件/复印件、电子'
    )
    assert info.value.to_dict()["field"] == "materials[2].form"


def test_csv_failure_reports_data_row_and_source_line(app, mini):
    edit(mini, "evaluations.csv", "2024-06,A区1号窗口,gongan,130", "2024-06,A区1号窗口,nobody,130")
    with app.app_context(), pytest.raises(ImportFailure) as info:
        import_path(mini)
    assert (info.value.row, info.value.line, info.value.field) == (3, 4, "department")


def test_yaml_syntax_error_has_a_line(app, mini):
    edit(mini, "departments.yaml", "  short_name: 公安分局\n", "  short_name: [公安分局\n")
    with app.app_context(), pytest.raises(ImportFailure) as info:
        import_path(mini)
    assert info.value.file == "departments.yaml" and info.value.line is not None


def test_duplicate_key_in_one_mapping_is_an_error(app, mini):
    edit(mini, "departments.yaml", "  short_name: 公安分局\n", "  short_name: 公安分局\n  name: 重复\n")
    with app.app_context(), pytest.raises(ImportFailure) as info:
        import_path(mini)
    assert (info.value.file, info.value.line, info.value.field) == ("departments.yaml", 4, "name")


def test_yaml_1_1_surprises_stay_text(app, mini):
    """Unquoted 12:00 is not sexagesimal 720, and 0379 is not octal."""
    edit(mini, "screens.yaml", 'start: "12:00"', "start: 12:00")
    edit(mini, "departments.yaml", '  phone: "0379-63231110"', "  phone: 0379")
    with app.app_context():
        import_path(mini)
        assert db.session.scalars(select(m.ScheduleEntry)).one().start_time == time(12, 0)
        dept = db.session.scalars(select(m.Department).where(m.Department.code == "gongan")).one()
        assert dept.phone == "0379"


def test_failure_after_a_good_import_leaves_the_old_content(app, mini):
    with app.app_context():
        import_path(mini)
        before = table_counts()
        edit(mini, "departments.yaml", "  name: 老城区民政局\n", "  name: 已改名\n")
        edit(mini, "screens.yaml", "kind: led_strip}", "kind: nope}")
        with pytest.raises(ImportFailure):
            import_path(mini)
        db.session.expire_all()
        assert table_counts() == before
        names = set(db.session.scalars(select(m.Department.name)))
        assert "已改名" not in names
        assert db.session.scalar(select(func.count()).select_from(m.AuditLog)) == 1


def test_unrecognised_single_file_and_missing_path(app, tmp_path):
    (tmp_path / "stuff.yaml").write_text("- a: 1\n", encoding="utf-8")
    with app.app_context():
        with pytest.raises(ImportFailure, match="不认识的文件名"):
            import_path(tmp_path / "stuff.yaml")
        with pytest.raises(ImportFailure, match="路径不存在"):
            import_path(tmp_path / "nope")


def test_second_report_for_the_same_agency_and_year_is_refused(app, mini):
    (mini / "disclosure" / "other.json").write_text(disclosure_json("other-2023"), encoding="utf-8")
    with app.app_context(), pytest.raises(ImportFailure) as info:
        import_path(mini)
    assert info.value.file == "disclosure/other.json" and info.value.field == "year"


