"""The review rule on every write route (issue 10): nothing an editor does reaches a public
screen before a reviewer approves it; only the roles of ``services/publish_rights.py`` publish
directly, and alerts are immediate by their own permission.

Every route that accepts POST/PUT/PATCH/DELETE must be classified here, so a new write route
fails this test until someone decides which rule it follows. Then an editor walks every write
route it may use (with the forms' own CSRF token and the demo's ids) and what every screen of
the demo would show is compared before and after: it must not change. The routes where an
editor's change is real content (schedule entries, disclosure uploads, guides, playlists) have
behaviour tests of their own (tests/admin/test_schedule_panel.py,
tests/disclosure/test_api_disclosure.py, tests/admin/test_review.py).
"""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import ScheduleEntry, Screen, utcnow
from kiosk.services.publish_rights import DIRECT_PUBLISH_ROLES
from kiosk.services.state import alerts_json, build_body, content_version, load_rows
from kiosk.services.users import create_token

from ..admin.conftest import login, make_user, page_token

WRITE = {"POST", "PUT", "PATCH", "DELETE"}

# what each write route may do to a public screen, and for whom
REVIEWED = {  # an editor's write is a draft or a proposal; a reviewer's approval publishes it
    "admin.content_bundle_edit", "admin.content_bundle_new", "admin.content_guide_edit",
    "admin.content_guide_new", "admin.content_notice_edit", "admin.content_notice_new",
    "admin.content_playlist_edit", "admin.content_playlist_new", "admin.content_ticker_edit",
    "admin.content_ticker_new", "admin.content_version_discard", "admin.content_version_rollback",
    "admin.content_version_submit", "admin.demand_map", "admin.import_guides_upload",
    "admin.import_job_cancel", "admin.import_job_confirm", "admin.schedule_new",
    "admin.schedule_edit", "admin.schedule_delete", "admin.disclosure_upload",
    "admin.disclosure_confirm", "api.parse_disclosure",
}
APPROVERS = {  # publish: reviewers and admins only, never an editor
    "admin.review_approve", "admin.review_reject", "admin.schedule_approve", "admin.schedule_reject",
    "admin.disclosure_approve", "admin.disclosure_reject", "admin.disclosure_override",
    "api.approve_disclosure", "api.reject_disclosure", "api.override_disclosure",
    "admin.import_evaluations_upload",
}
ALERTS = {"admin.alert_send", "admin.alert_cancel", "api.create_alert", "api.cancel_alert"}
SCREENS_ADMIN = {  # which devices exist and what layout they use: admins only
    "admin.screen_edit", "admin.screen_identify", "admin.screen_reload", "admin.screen_revoke",
    "admin.screen_pair", "api.create_screen",
}
NOT_ON_SCREENS = {  # accounts, tokens, search words, sign-in: nothing a screen shows
    "admin.account", "admin.login", "admin.logout", "admin.tokens", "admin.token_revoke",
    "admin.users", "admin.user_disable", "admin.user_enable", "admin.user_password",
    "admin.user_role", "admin.user_unlock", "admin.search_lexicon_add", "admin.search_lexicon_edit",
    "admin.search_lexicon_delete",
}
DEVICES = {  # a screen's own requests (its token or pairing secret is the credential)
    "display.pair_code", "touch.evaluations", "touch.events", "touch.recognize_handwriting",
}
CLASSES = (REVIEWED, APPROVERS, ALERTS, SCREENS_ADMIN, NOT_ON_SCREENS, DEVICES)


def write_rules(app):
    return [r for r in app.url_map.iter_rules() if r.methods & WRITE]


@pytest.mark.reliability('Unclassified write routes', 'every POST/PUT/PATCH/DELETE route', 'each in exactly one review class')
def test_every_write_route_is_classified_once(demo_app):
    endpoints = {r.endpoint for r in write_rules(demo_app)}
    classified = set().union(*CLASSES)
    assert endpoints - classified == set(), "classify these write routes in this file"
    assert classified - endpoints == set(), "these are no longer routes"
    assert sum(len(c) for c in CLASSES) == len(classified)


def test_only_direct_publishers_and_alert_senders_hold_the_publishing_routes(demo_app):
    for rule in write_rules(demo_app):
        roles = getattr(demo_app.view_functions[rule.endpoint], "required_roles", None)
        if rule.endpoint in APPROVERS | ALERTS and roles is not None:
            assert "editor" not in roles and roles <= DIRECT_PUBLISH_ROLES, rule.endpoint
        if rule.endpoint in SCREENS_ADMIN and roles is not None:
            assert roles == {"admin"}, rule.endpoint


def what_screens_show(app) -> dict:
    """Per (group, layout) of the demo's screens: the content version and the alerts."""
    now = datetime(2026, 12, 2, 2, 30, tzinfo=utcnow().tzinfo)  # 10:30 in the hall, a Wednesday
    with app.app_context():
        rows = load_rows(db.session, app.config["TIMEZONE"])
        keys = {(s.group.name, s.layout) for s in db.session.scalars(select(Screen))}
        shown = {}
        for group, layout in sorted(keys):
            body = build_body(app, db.session, group, layout, now, rows)
            shown[(group, layout)] = (content_version(body), alerts_json(rows, group, utcnow()))
        shown["schedule"] = sorted((e.name, e.playlist_id, e.takeover, e.start_time, e.weekdays)
                                   for e in db.session.scalars(select(ScheduleEntry)) if e.live)
        db.session.remove()
    return shown


def fill(url: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        url = url.replace(f"<int:{name}>", value).replace(f"<{name}>", value)
    return url


@pytest.mark.reliability('Edits that skip review', 'an editor POSTs to every write route of the panel and API (takeover entry, disclosure store=1&replace=1 …)', 'what every screen shows is unchanged; approver/alert/screen routes 403')
def test_an_editor_walking_every_write_route_changes_no_screen(demo_app):
    make_user(demo_app, "ed", "editor")
    with demo_app.app_context():
        _, plain = create_token(db.session, "ed", actor="test")
        entry = db.session.scalar(select(ScheduleEntry.id).limit(1))
        db.session.commit()
    from kiosk.models import Guide

    with demo_app.app_context():
        guide = db.session.scalar(select(Guide.code).limit(1))
    ids = {"code": guide, "entry_id": str(entry or 1), "report_id": "1", "version_id": "1",
           "alert_id": "1", "key": "0" * 32, "screen_id": "1", "user_id": "1", "token_id": "1",
           "term_id": "1", "token": "nope"}
    before = what_screens_show(demo_app)
    client = demo_app.test_client()
    assert login(client, "ed").status_code == 302
    walked = 0
    for rule in write_rules(demo_app):
        if rule.endpoint in ("admin.logout", "admin.account") or rule.endpoint in DEVICES:
            continue
        url = fill(rule.rule, ids)
        for method in sorted(rule.methods & WRITE):
            if rule.endpoint.startswith("api."):
                r = client.open(url, method=method, headers={"Authorization": f"Bearer {plain}"},
                                content_type="multipart/form-data",
                                data={"file": (io.BytesIO(b"x"), "r.txt"), "store": "1", "replace": "1"})
            else:
                r = client.open(url, method=method, data={
                    "csrf_token": page_token(client, "/admin/"), "name": "编辑改的", "playlist": "closed",
                    "takeover": "y", "start_time": "00:00", "end_time": "00:00", "priority": "1000",
                    "weekdays": [str(d) for d in range(1, 8)], "enabled": "y"})
            assert r.status_code < 500, (rule.endpoint, r.status_code)
            if rule.endpoint in APPROVERS | ALERTS | SCREENS_ADMIN:
                assert r.status_code == 403, (rule.endpoint, r.status_code)
            walked += 1
    assert walked >= 40
    assert what_screens_show(demo_app) == before
    with demo_app.app_context():  # the schedule entry the walk asked for waits as a proposal
        waiting = db.session.scalar(select(ScheduleEntry).where(ScheduleEntry.name == "编辑改的"))
        assert waiting is not None and not waiting.live and waiting.pending["by"] == "ed"
