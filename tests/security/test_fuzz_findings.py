"""What the schemathesis run (test_api_fuzz.py) found, each pinned by a plain request."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import DisclosureReport

from ..test_api import token_for


@pytest.fixture
def admin(demo_app):
    return token_for(demo_app, "boss", "admin")


@pytest.mark.parametrize("url, method", [("/api/v1/guides", "TRACE"), ("/api/v1/alerts", "PUT"),
                                         ("/admin/login", "DELETE")])
@pytest.mark.reliability("Undeclared HTTP methods", "TRACE/PUT/DELETE on API and panel routes",
                         "405 with the Allow header RFC 9110 requires")
def test_a_405_says_which_methods_the_url_takes(demo_app, url, method):
    r = demo_app.test_client().open(url, method=method)
    assert r.status_code == 405
    assert "GET" in r.headers["Allow"] or "POST" in r.headers["Allow"]


@pytest.mark.parametrize("body, content_type, field", [
    ("1.175494351e-38", "application/json", None),  # not an object: the reason was dropped
    ('"too late"', "application/json", None),
    ('{"reason": 5}', "application/json", "reason"),
    ('{"reason": "' + "驳" * 501 + '"}', "application/json", "reason"),  # was cut to 500
])
@pytest.mark.reliability("A rejection's reason of the wrong shape", "API reject with a bare number, a bare string, a number, 501 characters",
                         "400 naming the body or the reason; nothing rejected")
def test_a_reject_body_that_is_not_a_reason_is_refused(demo_app, admin, body, content_type, field):
    with demo_app.app_context():
        report_id = db.session.scalar(select(DisclosureReport.id).limit(1))
    r = demo_app.test_client().post(f"/api/v1/disclosure/reports/{report_id}/reject", data=body,
                                    content_type=content_type, headers=admin)
    assert r.status_code == 400, r.get_data(as_text=True)
    error = r.get_json()["error"]
    assert error["code"] == ("invalid_field" if field else "invalid_json")
    assert error.get("field") == field


def test_a_reject_without_a_body_still_needs_no_reason(demo_app, admin):
    with demo_app.app_context():
        report_id = db.session.scalar(select(DisclosureReport.id).limit(1))
    r = demo_app.test_client().post(f"/api/v1/disclosure/reports/{report_id}/reject", headers=admin)
    assert r.status_code == 409  # nothing waits for review: the body was not the problem
    assert r.get_json()["error"]["code"] == "review_refused"
