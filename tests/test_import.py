"""Content import: the demo folder, idempotency, all-or-nothing failures, sanitising, time zones.

Most tests use a small folder written here (``mini``) so that each bad-input case changes one
line of a known file; the demo folder of ``content/`` is imported as a whole too.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kiosk import models as m
from kiosk.extensions import db
from kiosk.services.importer import ImportFailure, ImportSummary, import_path

CONTENT = Path(__file__).resolve().parent.parent / "content"

MINI = {
    "departments.yaml": """\
- code: gongan
  name: 洛阳市公安局老城分局
  short_name: 公安分局
  phone: "0379-63231110"
- code: minzheng
  name: 老城区民政局
""",
    "guides/gongan.yaml": """\
# 公安
- code: "G-SFZ-HL"
  name: 居民身份证换领
  item_type: 公共服务
  department: gongan
  basis: 《中华人民共和国居民身份证法》第十一条
  materials:
    - name: 居民户口簿
      form: 原件
      copies: 1
      necessity: 必要
    - name: 原居民身份证
      form: 原件
      necessity: 容缺
      sample_form: forms/sfz-sample.pdf
  process: [申请, 受理, 审核, 办结]
  legal_limit_days: 60
  promised_limit_days: 15
  case_type: 承诺件
  visits: 1
  online: false
  scope: 全市通办
  audience: [自然人]
  themes: [户籍身份]
  faq:
    - q: 身份证丢了怎么办？
      a: 携带户口簿到户政窗口申请补领。
- code: "G-HK-QR"
  name: 户口迁入
  item_type: 行政确认
  department: gongan
  case_type: 即办件
  online: true
  online_url: https://www.hnzwfw.gov.cn/hk
  audience: [自然人]
""",
    "guides/minzheng.yaml": """\
- code: "M-JH"
  name: 内地居民婚姻登记
  item_type: 行政确认
  department: minzheng
  case_type: 即办件
  materials:
    - {name: 居民户口簿, form: 原件, necessity: 必要}
    - {name: 居民身份证, form: 原件/复印件, copies: 2, necessity: 必要}
""",
    "bundles.yaml": """\
- code: move-in
  name: 迁户一件事
  description: 户口迁入与婚姻登记一次办
  guides: ["G-HK-QR", "M-JH"]
  visits: 0
""",
    "evaluations.csv": """\
period,window,department,very_satisfied,satisfied,basic,dissatisfied,very_dissatisfied
2024-05,A区1号窗口,gongan,120,10,2,1,0
2024-05,B区1号窗口,minzheng,80,5,0,0,0
2024-06,A区1号窗口,gongan,130,12,1,0,1
""",
    "notices.yaml": """\
- code: holiday
  kind: notice
  title: 国庆节放假通知
  body: |
    <p onclick="steal()">10月1日至7日<strong>闭厅</strong>。</p>
    <script>alert('x')</script>
    <img src="images/holiday.png" alt="放假" onerror="alert(1)">
    <img src="javascript:alert(1)">
    <a href="https://evil.example">链接</a>
  publish_from: "2024-09-25 08:00"
  expire_at: "2024-10-08 00:00"
- code: promo
  kind: publicity
  title: 帮办代办
  image: https://example.org/promo.png
""",
    "ticker.yaml": """\
- code: welcome
  text: 欢迎来到老城区政务服务中心
- code: lobby-only
  text: 大厅屏专用
  groups: [lobby]
""",
    "screens.yaml": """\
playlists:
  - name: lobby-day
    title: 大厅日间轮播
    items:
      - {ref: "guide:G-SFZ-HL", duration: 15}
      - {ref: "bundle:move-in", duration: 20}
      - {ref: "evaluation:hall"}
      - {ref: "evaluation:department:gongan", duration: 15}
      - {ref: "disclosure:mini-2023", duration: 25}
      - {ref: "notice:holiday", duration: 15}
  - name: lunch
    items:
      - {ref: "notice:promo", duration: 10}
groups:
  - {name: lobby, title: 大厅LED大屏, default_playlist: lobby-day}
  - {name: windows, title: 窗口条屏}
schedule:
  - name: lunch-break
    playlist: lunch
    groups: [lobby, windows]
    start_date: 2024-01-01
    weekdays: [1, 2, 3, 4, 5]
    start: "12:00"
    end: "13:30"
    priority: 10
screens:
  - {name: 大厅主屏, group: lobby, kind: led_wall}
  - {name: A区1号窗口条屏, group: windows, kind: led_strip}
  - {name: 大厅副屏, group: lobby, kind: led_wall, layout: custom_wall}
""",
}


def disclosure_json(code: str = "mini-2023", year: int = 2023) -> str:
    zeros = "[0, 0, 0, 0, 0, 0, 0]"
    docs = '{"issued": 0, "repealed": 0, "in_force": 0}'
    outcome = '{"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}'
    rows = lambda *keys: "{" + ", ".join(f'"{k}": {zeros}' for k in keys) + "}"  # noqa: E731
    return f"""{{
  "code": "{code}", "agency": "老城区政务服务和大数据管理局", "year": {year}, "template": "2021",
  "proactive": {{"regulations": {docs}, "normative_documents": {docs},
                 "licensing": 0, "penalty": 0, "enforcement": 0, "fees_10k_yuan": 0}},
  "applications": {{
    "new": {zeros}, "carried_over": {zeros}, "granted": {zeros}, "partially_granted": {zeros},
    "withheld": {rows("state_secret", "prohibited_by_law", "three_securities_one_stability",
                      "third_party_rights", "internal_affairs", "process_information",
                      "enforcement_files", "query_matters")},
    "unable": {rows("not_held", "needs_creation", "still_unclear")},
    "not_processed": {rows("petition_complaint", "repeated", "publications", "massive_repeated",
                           "confirm_reissue")},
    "other": {rows("overdue_correction", "overdue_fee", "other")},
    "total": {zeros}, "carried_forward": {zeros}}},
  "reviews_and_litigation": {{"review": {outcome}, "litigation_direct": {outcome},
                              "litigation_after_review": {outcome}}},
  "checks": [{{"rule": "total_column", "ok": true, "message": "总计列正确"}}]
}}
"""


def write_folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def mini(tmp_path) -> Path:
    root = write_folder(tmp_path / "content", {**MINI, "disclosure/mini-2023.json": disclosure_json()})
    (root / "forms").mkdir()
    (root / "forms" / "sfz-sample.pdf").write_bytes(b"%PDF-1.4\n")
    return root


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def table_counts() -> dict[str, int]:
    models = (
        m.Department, m.Guide, m.Material, m.Bundle, m.BundleGuide, m.EvaluationStat,
        m.DisclosureReport, m.Notice, m.TickerLine, m.Playlist, m.PlaylistItem, m.ScreenGroup,
        m.ScheduleEntry, m.Screen,
    )
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in models}


# -- a good import ----------------------------------------------------------------------------

def test_mini_folder_imports_everything(app, mini):
    with app.app_context():
        summary = import_path(mini, actor="tester")
        assert isinstance(summary, ImportSummary)
        counts = summary.as_dict()
        assert counts["departments"]["created"] == 2
        assert counts["guides"]["created"] == 3
        assert counts["screens"]["created"] == 3
        assert summary.updated == 0
        assert "导入完成" in str(summary) and "imported" in str(summary)

        guide = db.session.scalars(select(m.Guide).where(m.Guide.code == "G-SFZ-HL")).one()
        assert guide.department.code == "gongan"
        assert [mat.name for mat in guide.materials] == ["居民户口簿", "原居民身份证"]
        assert [mat.position for mat in guide.materials] == [1, 2]
        assert guide.materials[1].necessity == "容缺" and guide.materials[1].copies == 1
        assert guide.materials[1].sample_form == "forms/sfz-sample.pdf"
        assert guide.fee == "不收费" and guide.online is False and guide.online_url is None
        assert guide.faq == [{"q": "身份证丢了怎么办？", "a": "携带户口簿到户政窗口申请补领。"}]
        assert "jmsfzhl" in guide.search_text and "公安分局" in guide.search_text

        bundle = db.session.scalars(select(m.Bundle)).one()
        assert [g.code for g in bundle.guides] == ["G-HK-QR", "M-JH"]
        assert {mat["name"] for mat in bundle.merged_materials()} == {"居民户口簿", "居民身份证"}

        stat = db.session.scalars(
            select(m.EvaluationStat).where(m.EvaluationStat.period == date(2024, 6, 1))
        ).one()
        assert (stat.window, stat.counts, stat.department.code) == ("A区1号窗口", [130, 12, 1, 0, 1], "gongan")

        report = db.session.scalars(select(m.DisclosureReport)).one()
        assert (report.code, report.year) == ("mini-2023", 2023)
        assert "code" not in report.data and report.data["applications"]["new"] == [0] * 7

        lobby = db.session.scalars(select(m.ScreenGroup).where(m.ScreenGroup.name == "lobby")).one()
        assert lobby.default_playlist.name == "lobby-day"
        assert [i.ref for i in lobby.default_playlist.items][:2] == ["guide:G-SFZ-HL", "bundle:move-in"]
        assert lobby.default_playlist.items[2].duration == 15  # default duration
        entry = db.session.scalars(select(m.ScheduleEntry)).one()
        assert (entry.start_time, entry.end_time, entry.weekdays) == (time(12, 0), time(13, 30), [1, 2, 3, 4, 5])
        assert (entry.start_date, entry.end_date, entry.groups) == (date(2024, 1, 1), None, ["lobby", "windows"])
        screens = {s.name: s for s in db.session.scalars(select(m.Screen))}
        assert screens["大厅主屏"].layout == m.DEFAULT_LAYOUTS["led_wall"]
        assert screens["大厅副屏"].layout == "custom_wall"
        assert screens["A区1号窗口条屏"].group.name == "windows"
        assert all(s.token for s in screens.values())

        ticker = db.session.scalars(select(m.TickerLine).order_by(m.TickerLine.position)).all()
        assert [(t.code, t.groups) for t in ticker] == [("welcome", []), ("lobby-only", ["lobby"])]

        log = db.session.scalars(select(m.AuditLog)).one()
        assert (log.actor, log.action, log.object_type) == ("tester", "import", "content")
        assert log.after["guides"]["created"] == 3


def test_reimport_is_a_no_op(app, mini):
    with app.app_context():
        import_path(mini)
        before = table_counts()
        tokens = {s.name: s.token for s in db.session.scalars(select(m.Screen))}
        stamps = {g.code: g.updated_at for g in db.session.scalars(select(m.Guide))}
        material_ids = sorted(db.session.scalars(select(m.Material.id)))
        db.session.expire_all()

        summary = import_path(mini)
        assert summary.created == 0 and summary.updated == 0 and not summary.changed
        assert summary.unchanged == sum(before[k] for k in (
            "Department", "Guide", "Bundle", "EvaluationStat", "DisclosureReport", "Notice",
            "TickerLine", "Playlist", "ScreenGroup", "ScheduleEntry", "Screen"))
        assert table_counts() == before
        assert {s.name: s.token for s in db.session.scalars(select(m.Screen))} == tokens
        assert {g.code: g.updated_at for g in db.session.scalars(select(m.Guide))} == stamps
        assert sorted(db.session.scalars(select(m.Material.id))) == material_ids
        assert db.session.scalar(select(func.count()).select_from(m.AuditLog)) == 2


def test_reimport_updates_in_place_and_replaces_children(app, mini):
    with app.app_context():
        import_path(mini)
        tokens = {s.name: s.token for s in db.session.scalars(select(m.Screen))}
        edit(mini, "guides/gongan.yaml", "      copies: 1\n      necessity: 必要\n",
             "      copies: 3\n      necessity: 必要\n")
        edit(mini, "guides/gongan.yaml", "  name: 户口迁入\n", "  name: 户口迁入登记\n")
        edit(mini, "bundles.yaml", '["G-HK-QR", "M-JH"]', '["M-JH", "G-SFZ-HL"]')
        edit(mini, "screens.yaml", '      - {ref: "notice:promo", duration: 10}\n',
             '      - {ref: "notice:holiday", duration: 30}\n      - {ref: "notice:promo", duration: 10}\n')
        edit(mini, "screens.yaml", "kind: led_strip}", "kind: window}")
        edit(mini, "evaluations.csv", "2024-06,A区1号窗口,gongan,130", "2024-06,A区1号窗口,gongan,131")

        summary = import_path(mini)
        counts = summary.as_dict()
        assert counts["guides"] == {"created": 0, "updated": 2, "unchanged": 1}
        assert counts["bundles"]["updated"] == 1 and counts["evaluations"]["updated"] == 1
        assert counts["playlists"] == {"created": 0, "updated": 1, "unchanged": 1}
        assert counts["screens"] == {"created": 0, "updated": 1, "unchanged": 2}

        guide = db.session.scalars(select(m.Guide).where(m.Guide.code == "G-SFZ-HL")).one()
        assert [mat.copies for mat in guide.materials] == [3, 1]
        assert db.session.scalar(select(func.count()).select_from(m.Material)) == 4
        renamed = db.session.scalars(select(m.Guide).where(m.Guide.code == "G-HK-QR")).one()
        assert renamed.name == "户口迁入登记" and "hkqrdj" in renamed.search_text
        bundle = db.session.scalars(select(m.Bundle)).one()
        assert [g.code for g in bundle.guides] == ["M-JH", "G-SFZ-HL"]
        lunch = db.session.scalars(select(m.Playlist).where(m.Playlist.name == "lunch")).one()
        assert [(i.position, i.ref, i.duration) for i in lunch.items] == [
            (1, "notice:holiday", 30), (2, "notice:promo", 10)]
        strip = db.session.scalars(select(m.Screen).where(m.Screen.name == "A区1号窗口条屏")).one()
        assert (strip.kind, strip.layout) == ("window", m.DEFAULT_LAYOUTS["window"])
        assert {s.name: s.token for s in db.session.scalars(select(m.Screen))} == tokens


def test_single_file_import_uses_stored_references(app, mini):
    with app.app_context():
        import_path(mini)
        edit(mini, "guides/minzheng.yaml", "  name: 内地居民婚姻登记\n", "  name: 婚姻登记\n")
        summary = import_path(mini / "guides" / "minzheng.yaml")
        assert summary.as_dict() == {"guides": {"created": 0, "updated": 1, "unchanged": 0}}
        assert summary.files == ["guides/minzheng.yaml"]


def test_department_rename_refreshes_guide_search_text(app, mini):
    with app.app_context():
        import_path(mini)
        edit(mini, "departments.yaml", "  name: 老城区民政局\n", "  name: 老城区婚姻登记处\n")
        import_path(mini / "departments.yaml")
        guide = db.session.scalars(select(m.Guide).where(m.Guide.code == "M-JH")).one()
        assert "婚姻登记处" in guide.search_text


def test_datetimes_are_local_to_the_hall_and_stored_as_utc(app, mini):
    with app.app_context():
        import_path(mini)
        notice = db.session.scalars(select(m.Notice).where(m.Notice.code == "holiday")).one()
        assert notice.publish_from == datetime(2024, 9, 25, 0, 0, tzinfo=UTC)
        assert notice.expire_at == datetime(2024, 10, 7, 16, 0, tzinfo=UTC)


def test_tz_argument_overrides_the_setting(app, mini):
    with app.app_context():
        import_path(mini, tz="UTC")
        notice = db.session.scalars(select(m.Notice).where(m.Notice.code == "holiday")).one()
        assert notice.publish_from == datetime(2024, 9, 25, 8, 0, tzinfo=UTC)


def test_notice_body_is_sanitised(app, mini):
    with app.app_context():
        import_path(mini)
        body = db.session.scalars(select(m.Notice).where(m.Notice.code == "holiday")).one().body_html
        assert "<strong>闭厅</strong>" in body
        assert '<img src="images/holiday.png" alt="放假">' in body
        for bad in ("<script", "alert", "onerror", "onclick", "javascript:", "<a ", "evil.example"):
            assert bad not in body
        promo = db.session.scalars(select(m.Notice).where(m.Notice.code == "promo")).one()
        assert (promo.body_html, promo.image) == ("", "https://example.org/promo.png")


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


# -- the demo content -------------------------------------------------------------------------

def test_demo_content_imports_and_reimport_changes_nothing(app):
    with app.app_context():
        first = import_path(CONTENT, actor="test")
        assert first.created > 0 and not first.skipped
        counts = first.as_dict()
        assert counts["guides"]["created"] >= 40 and counts["departments"]["created"] >= 8
        assert counts["bundles"]["created"] >= 4 and counts["notices"]["created"] >= 5
        assert counts["disclosure"]["created"] >= 1 and counts["screens"]["created"] >= 1
        before = table_counts()
        tokens = {s.name: s.token for s in db.session.scalars(select(m.Screen))}
        db.session.expire_all()

        again = import_path(CONTENT, actor="test")
        assert (again.created, again.updated) == (0, 0)
        assert table_counts() == before
        assert {s.name: s.token for s in db.session.scalars(select(m.Screen))} == tokens
        assert all(g.search_text for g in db.session.scalars(select(m.Guide)))


def test_demo_copy_with_one_bad_row_stores_nothing(app, tmp_path):
    copy = Path(shutil.copytree(CONTENT, tmp_path / "content"))
    guide_file = sorted((copy / "guides").glob("*.yaml"))[-1]
    text = guide_file.read_text(encoding="utf-8")
    assert "case_type: " in text
    last = text.rindex("case_type: ")
    end = text.index("\n", last)
    guide_file.write_text(text[:last] + "case_type: 马上办" + text[end:], encoding="utf-8")
    with app.app_context():
        with pytest.raises(ImportFailure) as info:
            import_path(copy)
        assert info.value.file == f"guides/{guide_file.name}" and info.value.field == "case_type"
        assert info.value.row is not None and info.value.row >= 1
        assert all(n == 0 for n in table_counts().values())
