"""An override covers the figures and failed checks it was given for, and nothing else.

Every path that gives a report new figures or a new set of failures — a re-upload, the
content importer updating it by code, a recheck after last year's report changed — clears an
override that no longer fits (with an audit row) and keeps the report off the screens until a
reviewer overrides again; an unchanged report keeps its override.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from disclosure_factory import bumped, city_report
from flask_migrate import upgrade
from sqlalchemy import select, text
from test_store import deck, pair

from kiosk.cli.common import ensure_schema
from kiosk.extensions import db
from kiosk.models import AuditLog, DisclosureReport, User
from kiosk.services.disclosure import check_report
from kiosk.services.disclosure.store import can_schedule, current_checks, override, store_report
from kiosk.services.importer import import_path
from kiosk.services.users import add_user
from tests.conftest import make_app

REASON = "原件如此，已与公开办核实无误。"


def reviewer() -> User:
    return db.session.scalar(select(User).where(User.name == "rita")) or add_user(
        db.session, "rita", "reviewer", "correct-horse-42", actor="test")


def cleared(report_id: int) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(
        AuditLog.object_type == "disclosure_report", AuditLog.object_id == str(report_id),
        AuditLog.action == "override_cleared").order_by(AuditLog.id)))


def failing_rules(row: DisclosureReport) -> set[str]:
    return {c["rule"] for c in row.checks if not c["ok"]}


def test_replacing_with_the_same_figures_keeps_the_override(app):
    with app.app_context():
        report = bumped(city_report(), "applications.granted[0]", 3)
        row = store_report(db.session, report, code="city-2023", actor="t")
        override(db.session, row.id, REASON, actor_user=reviewer())
        db.session.commit()
        row = store_report(db.session, report, replace=True, source_filename="again.txt",
                           actor="t")
        db.session.commit()
        assert row.override_reason == REASON and can_schedule(row)
        assert cleared(row.id) == []


def test_replacing_with_other_figures_clears_the_override_even_when_the_same_rules_fail(app):
    with app.app_context():
        row = store_report(db.session, bumped(city_report(), "applications.granted[0]", 3),
                           code="city-2023", actor="t")
        override(db.session, row.id, REASON, actor_user=reviewer())
        db.session.commit()
        rules = failing_rules(row)
        # the same cell wrong by another amount: the same checks fail, with other numbers
        row = store_report(db.session, bumped(city_report(), "applications.granted[0]", 4),
                           replace=True, actor="ed")
        db.session.commit()
        assert failing_rules(row) == rules
        assert row.override_reason is None and row.override_fingerprint is None
        assert not can_schedule(row)
        [entry] = cleared(row.id)
        assert entry.actor == "ed" and entry.before["override_reason"] == REASON
        assert "replaced" in entry.after["because"]
        assert deck(app, "disclosure:city-2023") == []
        override(db.session, row.id, REASON, actor_user=reviewer())  # a reviewer looks again
        db.session.commit()
        assert can_schedule(row) and deck(app, "disclosure:city-2023")


def test_recheck_after_last_years_report_changed_clears_an_override_for_other_failures(app):
    last, this = pair()
    with app.app_context():
        store_report(db.session, last, code="city-2022", actor="t")
        row = store_report(db.session, bumped(this, "applications.granted[0]", 3),
                           code="city-2023", actor="t")
        override(db.session, row.id, REASON, actor_user=reviewer())
        db.session.commit()
        assert failing_rules(row) == {"row_total", "grand_total"} and can_schedule(row)

        # last year's report is re-uploaded with figures that do not touch 结转下年度: this
        # year's failures are the same, the override stays
        store_report(db.session, bumped(last, "proactive.licensing", 1), replace=True,
                     actor="t")
        db.session.commit()
        assert row.override_reason == REASON and can_schedule(row)

        # now its 结转下年度 changes: carry_over fails as well — not what the reviewer read
        moved = bumped(bumped(last, "applications.carried_forward[2]", 5),
                       "applications.carried_forward[6]", 5)
        moved = bumped(bumped(moved, "applications.new[2]", 5), "applications.new[6]", 5)
        store_report(db.session, moved, replace=True, actor="up")
        db.session.commit()
        db.session.refresh(row)
        assert failing_rules(row) == {"row_total", "grand_total", "carry_over"}
        assert row.override_reason is None and not can_schedule(row)
        [entry] = cleared(row.id)
        assert entry.actor == "up" and "city-2022" in entry.after["because"]
        assert "carry_over" in entry.after["failed_rules"]
        assert deck(app, "disclosure:city-2023") == []


def test_content_import_with_new_figures_clears_the_override(app, tmp_path):
    with app.app_context():
        row = store_report(db.session, bumped(city_report(), "applications.granted[0]", 3),
                           code="city-2023", actor="t")
        override(db.session, row.id, REASON, actor_user=reviewer())
        db.session.commit()
        data = dict(row.data)
        folder = tmp_path / "content" / "disclosure"
        folder.mkdir(parents=True)
        # the same report imported by code: nothing changes, the override stays
        (folder / "city-2023.json").write_text(json.dumps({"code": "city-2023", **data},
                                                          ensure_ascii=False), "utf-8")
        import_path(folder.parent, actor="importer")
        row = db.session.scalar(select(DisclosureReport).where(DisclosureReport.code == "city-2023"))
        assert row.override_reason == REASON and can_schedule(row)

        changed = copy.deepcopy(data)
        changed["applications"]["granted"][0] += 1  # still failing, other numbers
        (folder / "city-2023.json").write_text(json.dumps({"code": "city-2023", **changed},
                                                          ensure_ascii=False), "utf-8")
        import_path(folder.parent, actor="importer")
        row = db.session.scalar(select(DisclosureReport).where(DisclosureReport.code == "city-2023"))
        assert row.data["applications"]["granted"][0] == data["applications"]["granted"][0] + 1
        assert row.checks == current_checks(db.session, row) and row.checks_ok is False
        assert row.override_reason is None and not can_schedule(row)
        [entry] = cleared(row.id)
        assert entry.actor == "importer" and "import" in entry.after["because"]


def test_figures_changed_behind_the_stores_back_are_not_covered(app):
    """The render-time guard compares the fingerprint too: an override given for other
    figures never lets a report through, whichever way the figures changed."""
    with app.app_context():
        row = store_report(db.session, bumped(city_report(), "applications.granted[0]", 3),
                           code="city-2023", actor="t")
        override(db.session, row.id, REASON, actor_user=reviewer())
        db.session.commit()
        assert deck(app, "disclosure:city-2023")
        data = copy.deepcopy(row.data)
        data["applications"]["granted"][1] += 2
        row.data = data
        db.session.commit()
        assert row.override_reason == REASON  # still stored, but it does not apply
        assert not can_schedule(row, current_checks(db.session, row))
        assert deck(app, "disclosure:city-2023") == []


def test_migration_fingerprints_existing_overrides(tmp_path):
    """Halls upgrading keep their overrides: the migration fingerprints each one from the
    figures and stored checks it was given for."""
    app = make_app(tmp_path, tmp_path / "old.db", create=False)
    migrations = str(Path(__file__).resolve().parents[2] / "kiosk" / "migrations")
    with app.app_context():
        upgrade(directory=migrations, revision="02376e6c591d")
        report = bumped(city_report(), "applications.granted[0]", 3)
        checks = check_report(report)
        db.session.execute(text(
            "INSERT INTO disclosure_report (code, agency, year, data, status, checks, checks_ok, "
            "override_reason, override_by, created_at, updated_at) VALUES ('city-2023', :agency, "
            "2023, :data, 'published', :checks, 0, :reason, 'rita', '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00')"),
            {"agency": report["agency"], "data": json.dumps(report, ensure_ascii=False),
             "checks": json.dumps(checks, ensure_ascii=False), "reason": REASON})
        db.session.commit()
        ensure_schema(app)
        row = db.session.scalar(select(DisclosureReport))
        assert row.override_fingerprint and can_schedule(row)
        db.session.remove()
        db.engine.dispose()
