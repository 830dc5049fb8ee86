"""Visit events from the kiosk page: ``POST …/kiosk/events`` stores a batch whole or not at
all, names the wrong field, keeps the kiosk's times only when they are plausible and keeps
nothing personal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Guide, Screen, VisitEvent, utcnow

from .kiosk_util import VISIT, bundle_facts, count, guide_facts, kiosk_token, set_status, url


def post(app, body, token=None):
    return app.test_client().post(url(token or kiosk_token(app), "events"), json=body)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def stored(app) -> list[VisitEvent]:
    with app.app_context():
        rows = db.session.scalars(select(VisitEvent).order_by(VisitEvent.id)).all()
        db.session.expunge_all()
        return rows


def test_a_visit_is_stored_event_by_event(demo_app):
    guide, bundle = guide_facts(demo_app), bundle_facts(demo_app)
    start = utcnow() - timedelta(minutes=3)
    events = [
        {"kind": "visit_start", "at": iso(start)},
        {"kind": "page_view", "at": iso(start), "page": "home"},
        {"kind": "search", "at": iso(start + timedelta(seconds=5)), "query": "  sfz ", "results": 4},
        {"kind": "guide_view", "at": iso(start + timedelta(seconds=9)), "guide": guide["code"]},
        {"kind": "form_view", "guide": guide["code"]},
        {"kind": "bundle_view", "at": iso(start + timedelta(seconds=30)), "bundle": bundle["code"]},
        {"kind": "form_view", "bundle": bundle["code"]},  # a 样表 in the bundle's material list
        {"kind": "visit_end", "at": iso(start + timedelta(seconds=90)), "reason": "idle"},
    ]
    r = post(demo_app, {"visit": VISIT, "events": events})
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Cache-Control"] == "no-store"
    rows = stored(demo_app)
    with demo_app.app_context():
        kiosk_id = db.session.scalar(select(Screen.id).where(Screen.kind == "kiosk"))
    assert [e.kind for e in rows] == [e["kind"] for e in events]
    assert {e.visit for e in rows} == {VISIT} and {e.screen_id for e in rows} == {kiosk_id}
    assert rows[0].at == start  # the kiosk's time is kept
    assert rows[1].page == "home"
    assert (rows[2].search_query, rows[2].results) == ("sfz", 4)
    assert rows[3].ref == rows[4].ref == guide["code"] and rows[4].page == "guide"
    assert rows[5].ref == rows[6].ref == bundle["code"] and rows[6].page == "bundle"
    assert rows[7].reason == "idle"
    assert abs((rows[4].at - utcnow()).total_seconds()) < 60  # no time given: the server's


@pytest.mark.parametrize("offset", [timedelta(days=3), timedelta(minutes=-10)])
def test_a_kiosk_clock_far_off_is_replaced_by_the_servers(demo_app, offset):
    r = post(demo_app, {"visit": VISIT, "events": [{"kind": "visit_start", "at": iso(utcnow() - offset)}]})
    assert r.status_code == 204
    [row] = stored(demo_app)
    assert abs((row.at - utcnow()).total_seconds()) < 60


def test_numbers_typed_into_the_search_box_are_not_kept(demo_app):
    events = [{"kind": "search", "query": "410302199001011234 补办", "results": 0},
              {"kind": "search", "query": "13800138000"}]
    assert post(demo_app, {"visit": VISIT, "events": events}).status_code == 204
    rows = stored(demo_app)
    assert "410302" not in rows[0].search_query and rows[0].search_query.endswith("补办")
    assert "138" not in rows[1].search_query and rows[1].results is None


GOOD = {"kind": "visit_start"}
BAD = [
    ({"events": [GOOD]}, "visit"),
    ({"visit": "XYZ", "events": [GOOD]}, "visit"),
    ({"visit": VISIT}, "events"),
    ({"visit": VISIT, "events": []}, "events"),
    ({"visit": VISIT, "events": [GOOD] * 201}, "events"),
    ({"visit": VISIT, "events": {"kind": "visit_start"}}, "events"),
    ({"visit": VISIT, "events": [GOOD, "visit_start"]}, "events[1]"),
    ({"visit": VISIT, "events": [GOOD, GOOD, GOOD, {"kind": "dance"}]}, "events[3].kind"),
    ({"visit": VISIT, "events": [{"kind": "rating", "level": 5}]}, "events[0].kind"),
    ({"visit": VISIT, "events": [{"kind": "page_view"}]}, "events[0].page"),
    ({"visit": VISIT, "events": [{"kind": "page_view", "page": "Home Page!"}]}, "events[0].page"),
    ({"visit": VISIT, "events": [{"kind": "page_view", "page": "p" * 21}]}, "events[0].page"),
    ({"visit": VISIT, "events": [{"kind": "search", "query": "   "}]}, "events[0].query"),
    ({"visit": VISIT, "events": [{"kind": "search", "query": "字" * 101}]}, "events[0].query"),
    ({"visit": VISIT, "events": [{"kind": "search", "query": 5}]}, "events[0].query"),
    ({"visit": VISIT, "events": [{"kind": "search", "query": "sfz", "results": -1}]}, "events[0].results"),
    ({"visit": VISIT, "events": [{"kind": "search", "query": "sfz", "results": True}]}, "events[0].results"),
    ({"visit": VISIT, "events": [{"kind": "search", "query": "sfz", "results": "4"}]}, "events[0].results"),
    ({"visit": VISIT, "events": [GOOD, {"kind": "guide_view", "guide": "NOPE"}]}, "events[1].guide"),
    ({"visit": VISIT, "events": [{"kind": "form_view"}]}, "events[0].guide"),
    ({"visit": VISIT, "events": [{"kind": "form_view", "bundle": "nope"}]}, "events[0].bundle"),
    ({"visit": VISIT, "events": [{"kind": "guide_view", "guide": ["x"]}]}, "events[0].guide"),
    ({"visit": VISIT, "events": [{"kind": "bundle_view", "bundle": "nope"}]}, "events[0].bundle"),
    ({"visit": VISIT, "events": [{"kind": "visit_end", "reason": "bored"}]}, "events[0].reason"),
    ({"visit": VISIT, "events": [{"kind": "visit_end"}]}, "events[0].reason"),
    ({"visit": VISIT, "events": [{"kind": "visit_start", "at": "yesterday"}]}, "events[0].at"),
    ({"visit": VISIT, "events": [{"kind": "visit_start", "at": "2026-12-02T04:05:06"}]}, "events[0].at"),
    ({"visit": VISIT, "events": [{"kind": "visit_start", "at": 1764650000}]}, "events[0].at"),
]


@pytest.mark.parametrize(("body", "field"), BAD, ids=[f for _, f in BAD])
def test_a_wrong_field_refuses_the_whole_batch_by_name(demo_app, body, field):
    before = count(demo_app, VisitEvent)
    r = post(demo_app, body)
    assert r.status_code == 400, r.get_json()
    error = r.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_field", field)
    assert count(demo_app, VisitEvent) == before


def test_a_batch_is_all_or_nothing(demo_app):
    guide = guide_facts(demo_app)
    good = [{"kind": "visit_start"}, {"kind": "guide_view", "guide": guide["code"]}]
    assert post(demo_app, {"visit": VISIT, "events": good}).status_code == 204
    assert count(demo_app, VisitEvent) == 2
    set_status(demo_app, Guide, guide["code"], "draft")  # now the same batch has a bad event
    r = post(demo_app, {"visit": VISIT, "events": [*good, {"kind": "visit_end", "reason": "home"}]})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "events[1].guide"
    assert count(demo_app, VisitEvent) == 2
    full = [{"kind": "page_view", "page": "home"}] * 200
    assert post(demo_app, {"visit": VISIT, "events": full}).status_code == 204
    assert count(demo_app, VisitEvent) == 202
