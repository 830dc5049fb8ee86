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

from .import_fixtures import CONTENT, SFZ_SAMPLE, edit, table_counts

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
        assert guide.materials[1].sample_form == SFZ_SAMPLE
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
