"""``POST /api/v1/disclosure/parse`` (check, store, replace) and the reviewer override."""

from __future__ import annotations

import io

import pytest
from disclosure_factory import bumped, city_report
from sqlalchemy import func, select
from test_disclosure_errors import TEMPLATE_2019

from kiosk.extensions import db
from kiosk.models import AuditLog, DisclosureReport
from kiosk.services.disclosure import render_html, render_text
from kiosk.services.users import add_user, create_token

URL = "/api/v1/disclosure/parse"
REASON = "原件数据如此，已与区政务公开办核实，予以放行。"


def token_for(app, name: str, role: str) -> dict[str, str]:
    with app.app_context():
        add_user(db.session, name, role, "correct-horse-42", actor="test")
        _, plain = create_token(db.session, name, actor="test")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def editor(app):
    return token_for(app, "ed", "editor")


@pytest.fixture
def reviewer(app):
    return token_for(app, "rita", "reviewer")


@pytest.fixture
def admin(app):
    """Admins (and reviewers) store reports directly (services/publish_rights.py)."""
    return token_for(app, "ada", "admin")


def upload(client, headers, content: bytes | str, filename: str = "report.txt", **form):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(URL, headers=headers, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), filename), **form})


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(DisclosureReport))


def test_parse_needs_a_staff_token(app, client):
    r = upload(client, {}, render_text(city_report()))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    viewer = token_for(app, "vic", "viewer")
    r = upload(client, viewer, render_text(city_report()))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_parse_returns_the_report_with_its_checks(app, client, editor):
    r = upload(client, editor, render_html(city_report()), "city.html")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["report"]["agency"] == "示范市人民政府办公厅" and body["report"]["year"] == 2023
    assert len(body["report"]["checks"]) == 42
    assert body["checks_ok"] is True and body["failed"] == 0
    assert body["stored"] is None and body["existing"] is None and body["previous"] is None
    assert count(app) == 0

    r = upload(client, editor, render_text(bumped(city_report(), "applications.granted[2]", 4)))
    body = r.get_json()
    assert r.status_code == 200 and body["checks_ok"] is False and body["failed"] == 2


def _truncated() -> str:
    lines = render_text(city_report()).splitlines()
    return "\n".join(lines[: next(i for i, x in enumerate(lines) if "无法提供" in x)])


@pytest.mark.parametrize("content", [
    bytes(range(256)) * 4, b"", _truncated().encode("utf-8"), TEMPLATE_2019.encode("utf-8"),
    b"PK\x03\x04 truncated zip",
], ids=["binary", "empty", "truncated", "template-2019", "broken-docx"])
def test_bad_files_are_400_and_store_nothing(app, client, editor, content):
    r = upload(client, editor, content, "report.docx" if content.startswith(b"PK") else "r.txt",
               store="1")
    assert r.status_code == 400, r.get_data(as_text=True)
    error = r.get_json()["error"]
    assert error["code"] == "invalid_report" and error["field"] == "file" and error["message"]
    assert count(app) == 0


def test_missing_file_and_unexpected_parser_failure_are_400(client, editor, monkeypatch):
    r = client.post(URL, headers=editor, data={"store": "1"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "file"

    def boom(data, filename=""):
        raise RuntimeError("parser bug")

    monkeypatch.setattr("kiosk.api.disclosure.parse_report", boom)
    r = upload(client, editor, render_text(city_report()))
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_report"


def test_store_then_replace_only_with_replace(app, client, admin):
    r = upload(client, admin, render_text(city_report()), "city-2023.txt", store="1",
               code="city-2023")
    assert r.status_code == 201, r.get_json()
    stored = r.get_json()["stored"]
    assert stored["code"] == "city-2023" and stored["can_schedule"] is True
    assert stored["source_filename"] == "city-2023.txt" and r.get_json()["replaced"] is False

    r = upload(client, admin, render_text(city_report(seed=5)), store="1")
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "report_exists" and error["field"] == "replace"
    assert "replace" in error["message"]
    # parsing alone tells the panel that a stored report would be replaced
    assert upload(client, admin, render_text(city_report(seed=5))).get_json()["existing"] == {
        "id": stored["id"], "code": "city-2023"}

    r = upload(client, admin, render_text(city_report(seed=5)), store="1", replace="1")
    assert r.status_code == 201 and r.get_json()["replaced"] is True
    assert r.get_json()["stored"]["id"] == stored["id"]
    assert count(app) == 1
    with app.app_context():
        actions = [a.action for a in db.session.scalars(
            select(AuditLog).where(AuditLog.object_type == "disclosure_report"))]
        assert actions == ["create", "replace"]
        row = db.session.get(DisclosureReport, stored["id"])
        assert row.data["applications"] == city_report(seed=5)["applications"]


def test_parse_checks_carry_over_against_the_stored_previous_year(client, admin):
    last = city_report(seed=2022, year=2022)
    assert upload(client, admin, render_text(last), store="1").status_code == 201
    this = city_report(year=2023, carried_over=last["applications"]["carried_forward"][:6])
    body = upload(client, admin, render_text(this)).get_json()
    assert len(body["report"]["checks"]) == 49 and body["checks_ok"] is True
    assert body["previous"]["code"] == "sfsrmzfbgt-2022"
    other = city_report(year=2023)  # its 上年结转 does not match
    body = upload(client, admin, render_text(other)).get_json()
    assert {c["rule"] for c in body["report"]["checks"] if not c["ok"]} == {"carry_over"}


def test_override_by_reviewer_with_a_reason(app, client, admin, editor, reviewer):
    broken = render_text(bumped(city_report(), "reviews_and_litigation.review.upheld", 2))
    r = upload(client, admin, broken, store="1")
    assert r.status_code == 201
    stored = r.get_json()["stored"]
    assert stored["checks_ok"] is False and stored["can_schedule"] is False
    url = f"/api/v1/disclosure/reports/{stored['id']}/override"

    r = client.post(url, json={"reason": REASON}, headers=editor)
    assert r.status_code == 403
    r = client.post(url, json={"reason": "没问题"}, headers=reviewer)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = client.post(url, json={}, headers=reviewer)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = client.post(url, data="reason", headers=reviewer)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"
    r = client.post("/api/v1/disclosure/reports/999/override", json={"reason": REASON},
                    headers=reviewer)
    assert r.status_code == 404

    r = client.post(url, json={"reason": REASON}, headers=reviewer)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["can_schedule"] is True and body["override_by"] == "rita"
    assert body["override_reason"] == REASON and body["overridden_at"]


def test_override_of_a_passing_report_is_refused(client, admin, reviewer):
    stored = upload(client, admin, render_text(city_report()), store="1").get_json()["stored"]
    r = client.post(f"/api/v1/disclosure/reports/{stored['id']}/override",
                    json={"reason": REASON}, headers=reviewer)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "override_not_needed"


@pytest.mark.reliability('Editor replaces a live disclosure report', 'API store=1&replace=1 as an editor', '202, figures on screens unchanged until a reviewer approves')
def test_an_editors_report_and_replacement_wait_for_a_reviewer(app, client, editor, reviewer, admin):
    """Issue 10: an editor's store=1&replace=1 changed a live wall's figures within 2 s."""
    r = upload(client, editor, render_text(city_report()), "city.txt", store="1")
    assert r.status_code == 202, r.get_json()
    stored = r.get_json()["stored"]
    assert stored["status"] == "submitted" and stored["can_schedule"] is False
    assert r.get_json()["review"]["state"] == "pending"
    approve = f"/api/v1/disclosure/reports/{stored['id']}/approve"
    assert client.post(approve, headers=editor).status_code == 403  # editors do not approve
    r = client.post(approve, headers=reviewer)
    assert r.status_code == 200 and r.get_json()["can_schedule"] is True
    assert client.post(approve, headers=reviewer).status_code == 409  # nothing waits any more

    with app.app_context():
        before = db.session.get(DisclosureReport, stored["id"]).data
    changed = render_text(city_report(seed=5))
    r = upload(client, editor, changed, "city-v2.txt", store="1", replace="1")
    assert r.status_code == 202
    with app.app_context():
        row = db.session.get(DisclosureReport, stored["id"])
        assert row.data == before and row.pending["action"] == "replace"  # the wall keeps its figures
    r = client.post(f"/api/v1/disclosure/reports/{stored['id']}/reject", headers=reviewer,
                    json={"reason": "数字与原件不符"})
    assert r.status_code == 200
    with app.app_context():
        row = db.session.get(DisclosureReport, stored["id"])
        assert row.data == before and row.pending is None
    upload(client, editor, changed, "city-v2.txt", store="1", replace="1")
    assert client.post(approve, headers=admin).status_code == 200
    with app.app_context():
        row = db.session.get(DisclosureReport, stored["id"])
        assert row.data != before and row.source_filename == "city-v2.txt"
        actions = [a.action for a in db.session.scalars(
            select(AuditLog).where(AuditLog.object_type == "disclosure_report").order_by(AuditLog.id))]
    assert actions.count("submit") == 3 and actions.count("approve") == 2 and "reject" in actions
