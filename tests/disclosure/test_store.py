"""Storing reports (one per agency and year), overrides, the scheduling guard, the slide deck
and ``kiosk disclosure import``."""

from __future__ import annotations

import copy
import logging

import pytest
from disclosure_factory import bumped, city_report, zero_report
from sqlalchemy import func, select
from test_disclosure_errors import TEMPLATE_2019

from kiosk.extensions import db
from kiosk.models import AuditLog, DisclosureReport
from kiosk.services import layouts
from kiosk.services.disclosure import DisclosureError, parse_report, render_text
from kiosk.services.disclosure.store import (
    MIN_REASON,
    ReportExists,
    StoreError,
    can_schedule,
    override,
    store_report,
)
from kiosk.services.importer import import_path
from kiosk.services.slides import SlideRenderer
from kiosk.services.users import add_user
from tests.conftest import CONTENT

AGENCY = "示范市人民政府办公厅"


def pair() -> tuple[dict, dict]:
    """Last year's and this year's city reports; this year's 上年结转 matches last year's."""
    last = city_report(seed=2022, year=2022)
    this = city_report(seed=2023, year=2023, carried_over=last["applications"]["carried_forward"][:6])
    return last, this


def broken(report: dict) -> dict:
    return bumped(report, "applications.granted[0]", 3)


def audit(object_id: int) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(
        AuditLog.object_type == "disclosure_report", AuditLog.object_id == str(object_id))
        .order_by(AuditLog.id)))


def user(name: str, role: str):
    return add_user(db.session, name, role, "correct-horse-42", actor="test")


def deck(app, ref: str, layout: str = "led_wall") -> list[tuple[str, dict]]:
    renderer = SlideRenderer(app, db.session, layouts.load_layout(app.config["LAYOUTS_DIR"], layout))
    return renderer.render_all(ref)


# --- store_report ----------------------------------------------------------------------


def test_store_keeps_data_checks_and_an_audit_row(app):
    with app.app_context():
        report = parse_report(render_text(city_report()).encode(), "city-2023.txt")
        row = store_report(db.session, report, source_filename="city-2023.txt", actor="alice")
        db.session.commit()
        assert row.agency == AGENCY and row.year == 2023
        assert row.code == "sfsrmzfbgt-2023"  # pinyin initials of the agency, then the year
        assert "checks" not in row.data and row.data["applications"] == report["applications"]
        assert len(row.checks) == 42 and row.checks_ok is True
        assert row.source_filename == "city-2023.txt" and row.override_reason is None
        assert can_schedule(row)
        (entry,) = audit(row.id)
        assert (entry.actor, entry.action, entry.before) == ("alice", "create", None)
        assert entry.after["data"]["applications"] == report["applications"]
        assert entry.after["checks_ok"] is True


def test_one_report_per_agency_and_year_replaced_only_when_asked(app):
    with app.app_context():
        first = store_report(db.session, city_report(), code="city-2023", actor="alice")
        db.session.commit()
        second = city_report(seed=7)
        with pytest.raises(ReportExists) as info:
            store_report(db.session, second, actor="bob")
        err = info.value
        assert err.status == 409 and err.code == "report_exists" and err.field == "replace"
        assert AGENCY in err.message and "2023" in err.message and "--replace" in err.message
        db.session.rollback()
        assert db.session.get(DisclosureReport, first.id).data["applications"] == \
            city_report()["applications"]

        replaced = store_report(db.session, second, replace=True, actor="bob")
        db.session.commit()
        assert replaced.id == first.id and replaced.code == "city-2023"  # the code is kept
        assert replaced.data["applications"] == second["applications"]
        assert db.session.scalar(select(func.count()).select_from(DisclosureReport)) == 1
        create, replace = audit(first.id)
        assert replace.action == "replace" and replace.actor == "bob"
        assert replace.before["data"]["applications"] == city_report()["applications"]
        assert replace.after["data"]["applications"] == second["applications"]


def test_previous_year_adds_carry_over_checks(app):
    last, this = pair()
    with app.app_context():
        store_report(db.session, last, actor="t")
        row = store_report(db.session, this, actor="t")
        assert len(row.checks) == 49 and row.checks_ok
        wrong = copy.deepcopy(this)
        wrong["applications"]["carried_over"][0] += 1  # and keep the row and balance right
        wrong["applications"]["carried_over"][6] += 1
        wrong["applications"]["carried_forward"][0] += 1
        wrong["applications"]["carried_forward"][6] += 1
        row = store_report(db.session, wrong, replace=True, actor="t")
        failed = [c for c in row.checks if not c["ok"]]
        assert [c["rule"] for c in failed] == ["carry_over", "carry_over"]  # 自然人, 总计
        assert "previous.applications.carried_forward[0]" in failed[0]["cells"]
        assert row.checks_ok is False and not can_schedule(row)


def test_storing_last_year_later_rechecks_this_year(app):
    last, this = pair()
    with app.app_context():
        row = store_report(db.session, this, actor="t")
        assert len(row.checks) == 42
        other = copy.deepcopy(last)
        other["applications"]["carried_forward"][1] += 5
        other["applications"]["carried_forward"][6] += 5
        other["applications"]["new"][1] += 5
        other["applications"]["new"][6] += 5
        store_report(db.session, other, actor="t")
        db.session.commit()
        row = db.session.get(DisclosureReport, row.id)
        assert len(row.checks) == 49 and row.checks_ok is False
        assert [e.action for e in audit(row.id)] == ["create", "recheck"]


@pytest.mark.parametrize(("change", "field"), [
    ({"agency": ""}, "agency"),
    ({"year": None}, "year"),
    ({"template": "2019"}, "template"),
    ({"proactive": {"licensing": 1}}, "proactive"),
])
def test_reports_that_cannot_be_stored(app, change, field):
    with app.app_context():
        with pytest.raises(StoreError) as info:
            store_report(db.session, {**city_report(), **change}, actor="t")
        assert info.value.field == field and info.value.status == 400
        assert db.session.scalar(select(func.count()).select_from(DisclosureReport)) == 0


def test_incomplete_report_raises_disclosure_error(app):
    report = city_report()
    del report["applications"]["total"]
    with app.app_context(), pytest.raises(DisclosureError):
        store_report(db.session, report, actor="t")


def test_code_must_be_free_and_well_formed(app):
    with app.app_context():
        store_report(db.session, city_report(year=2022), code="city", actor="t")
        with pytest.raises(StoreError) as info:
            store_report(db.session, city_report(), code="city", actor="t")
        assert info.value.code == "code_taken" and info.value.status == 409
        with pytest.raises(StoreError) as info:
            store_report(db.session, city_report(), code="City 2023!", actor="t")
        assert info.value.field == "code"


# --- override and the guard ------------------------------------------------------------


def test_override_needs_a_reviewer_and_a_written_reason(app):
    with app.app_context():
        row = store_report(db.session, broken(city_report()), code="city-2023", actor="t")
        editor, reviewer = user("ed", "editor"), user("rita", "reviewer")
        assert row.checks_ok is False and not can_schedule(row)
        with pytest.raises(StoreError) as info:
            override(db.session, row.id, "原件如此，已与公开办核实无误。", actor_user=editor)
        assert info.value.status == 403
        with pytest.raises(StoreError) as info:
            override(db.session, row.id, "  原件如此  ", actor_user=reviewer)
        assert info.value.field == "reason" and str(MIN_REASON) in info.value.message
        with pytest.raises(StoreError) as info:
            override(db.session, 999, "原件如此，已与公开办核实无误。", actor_user=reviewer)
        assert info.value.status == 404

        row = override(db.session, row.id, "原件如此，已与公开办核实无误。", actor_user=reviewer)
        db.session.commit()
        assert can_schedule(row)
        assert (row.override_by, row.override_reason) == ("rita", "原件如此，已与公开办核实无误。")
        assert row.overridden_at is not None
        entry = audit(row.id)[-1]
        assert entry.action == "override" and entry.actor == "rita"
        assert entry.before["can_schedule"] is False and entry.after["can_schedule"] is True
        assert entry.after["failed_rules"] == ["row_total", "grand_total"]

        # a replacement is new numbers: the reason given for the old ones no longer applies
        row = store_report(db.session, broken(city_report(seed=9)), replace=True, actor="t")
        assert row.override_reason is None and not can_schedule(row)


def test_a_passing_report_needs_no_override(app):
    with app.app_context():
        row = store_report(db.session, city_report(), actor="t")
        with pytest.raises(StoreError) as info:
            override(db.session, row.id, "原件如此，已与公开办核实无误。", actor_user=user("a", "admin"))
        assert info.value.code == "override_not_needed"


def test_guard_keeps_failing_reports_off_the_screens(app, caplog):
    with app.app_context():
        row = store_report(db.session, broken(city_report()), code="city-2023", actor="t")
        db.session.commit()
        with caplog.at_level(logging.WARNING, logger="kiosk.services.slides"):
            assert deck(app, "disclosure:city-2023") == []
        assert "city-2023" in caplog.text and "row_total" in caplog.text
        override(db.session, row.id, "原件如此，已与公开办核实无误。", actor_user=user("r", "reviewer"))
        db.session.commit()
        assert len(deck(app, "disclosure:city-2023")) == 4  # no previous year: no comparison


def test_imported_reports_are_checked_when_rendered(app):
    """The content importer stores each report's checks (with last year's report), and the
    slide renderer checks again on the fly, so a report whose previous year changed behind
    the store's back still stays off the screens."""
    with app.app_context():
        import_path(CONTENT / "disclosure", actor="test")
        db.session.commit()
        row = db.session.scalar(select(DisclosureReport).where(DisclosureReport.code == "laocheng-2023"))
        assert row.checks_ok is True and "carry_over" in {c["rule"] for c in row.checks}
        assert can_schedule(row)
        row.checks = None  # a row imported before checks were stored: checked now
        assert can_schedule(row)
        db.session.rollback()
        kinds = [item["kind"] for _, item in deck(app, "disclosure:laocheng-2023")]
        assert kinds == ["disclosure", "disclosure_proactive", "disclosure_yoy"]
        # last year's 结转下年度 no longer matches this year's 上年结转: carry_over fails
        last = db.session.scalar(select(DisclosureReport).where(DisclosureReport.code == "laocheng-2022"))
        data = copy.deepcopy(last.data)
        for col in (0, 6):
            data["applications"]["carried_forward"][col] += 1
            data["applications"]["new"][col] += 1
        last.data = data
        db.session.commit()
        assert deck(app, "disclosure:laocheng-2023") == []
        assert len(deck(app, "disclosure:laocheng-2022")) == 3  # its own checks still pass


# --- the deck --------------------------------------------------------------------------


def test_deck_pages_and_figures(app):
    last, this = pair()
    with app.app_context():
        store_report(db.session, last, code="city-2022", actor="t")
        store_report(db.session, this, code="city-2023", actor="t")
        store_report(db.session, zero_report("测试局", 2023), code="quiet-2023", actor="t")
        store_report(db.session, zero_report("测试局", 2024), code="quiet-2024", actor="t")
        db.session.commit()
        slides = deck(app, "disclosure:city-2023")
        assert [sid for sid, _ in slides] == ["disclosure:city-2023"] + [
            f"disclosure:city-2023#{i}" for i in range(2, 6)]
        assert [item["kind"] for _, item in slides] == [
            "disclosure", "disclosure_outcomes", "disclosure_proactive", "disclosure_review",
            "disclosure_yoy"]
        assert all(item["html"].startswith("<section") for _, item in slides)
        apps = this["applications"]
        headline = slides[0][1]["html"]
        assert f"{apps['new'][6]:,}" in headline and f"{apps['total'][6]:,}" in headline
        rate = (apps["granted"][6] + apps["partially_granted"][6]) / apps["total"][6]
        assert f"{rate * 100:.1f}%" in headline
        assert "2022年" in slides[4][1]["html"] and "2023年" in slides[4][1]["html"]

        # a year without applications: a statement, no outcome or review charts of zeros;
        # its previous year exists, so the comparison is there (in words: both years are 0)
        zero = deck(app, "disclosure:quiet-2024")
        assert [item["kind"] for _, item in zero] == [
            "disclosure", "disclosure_proactive", "disclosure_yoy"]
        assert "本年度未收到政府信息公开申请" in zero[0][1]["html"]
        assert "<svg" not in zero[0][1]["html"]
        assert "未发生因政府信息公开引起的行政复议、行政诉讼" in zero[0][1]["html"]
        assert zero[2][1]["html"].count("两年均为 0") == 5 and "两年均无办结" in zero[2][1]["html"]
        assert "<svg" not in zero[2][1]["html"]


def test_led_strip_shows_each_slide_as_one_line(app):
    last, this = pair()
    with app.app_context():
        store_report(db.session, last, code="city-2022", actor="t")
        store_report(db.session, this, code="city-2023", actor="t")
        db.session.commit()
        slides = deck(app, "disclosure:city-2023", layout="led_strip")
        assert len(slides) == 5
        for _, item in slides:
            assert "slide-strip" in item["html"] and "<style>" not in item["html"]
            assert item["html"].count("strip-line") == 1


# --- kiosk disclosure import -----------------------------------------------------------


def run(data_dir, *args):
    from click.testing import CliRunner

    from kiosk.cli import main

    return CliRunner().invoke(main, ["--data-dir", str(data_dir), "disclosure", "import", *args])


def stored(data_dir) -> list[tuple[str, int, str]]:
    from tests.conftest import dispose, make_app

    app = make_app(data_dir, data_dir / "kiosk.db", create=False)
    with app.app_context():
        rows = [(r.agency, r.year, r.code) for r in db.session.scalars(select(DisclosureReport))]
    dispose(app)
    return rows


def test_cli_import_stores_and_replaces_only_with_flag(data_dir, tmp_path):
    path = tmp_path / "city-2023.txt"
    path.write_text(render_text(city_report()), encoding="utf-8")
    first = run(data_dir, str(path), "--code", "city-2023")
    assert first.exit_code == 0, first.output
    assert "全部通过" in first.output and "disclosure:city-2023" in first.output
    again = run(data_dir, str(path))
    assert again.exit_code == 1 and "--replace" in again.output
    path.write_text(render_text(broken(city_report())), encoding="utf-8")
    replaced = run(data_dir, str(path), "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert "未通过" in replaced.output and "replaced" in replaced.output
    assert stored(data_dir) == [(AGENCY, 2023, "city-2023")]


def _truncated() -> str:
    lines = render_text(city_report()).splitlines()
    cut = next(i for i, line in enumerate(lines) if "不予处理" in line)
    return "\n".join(lines[:cut])


@pytest.mark.parametrize(("content", "word"), [
    (bytes(range(256)) * 4, "binary"),
    (b"", "empty"),
    (_truncated().encode(), "missing"),
    (TEMPLATE_2019.encode(), "2019"),
    (render_text(city_report()).replace("示范市人民政府办公厅 2023 年政府信息公开工作年度报告", "").encode(), "agency"),
], ids=["binary", "empty", "truncated", "template-2019", "no-title"])
def test_cli_import_bad_files_exit_2_and_store_nothing(data_dir, tmp_path, content, word):
    path = tmp_path / "report.txt"
    path.write_bytes(content)
    result = run(data_dir, str(path))
    assert result.exit_code == 2, result.output
    assert word in result.output and "nothing stored" in result.output
    assert stored(data_dir) == []
