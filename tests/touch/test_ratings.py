"""好差评 from a kiosk: ``POST …/kiosk/evaluations`` stores one individual Evaluation (and a
``rating`` visit event), refuses anything malformed without storing, keeps the contact
private and limits how many ratings one kiosk may send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Evaluation, Guide, Screen, VisitEvent, utcnow
from kiosk.services.touch import ratings

from .kiosk_util import (
    VISIT,
    add_kiosk,
    bundle_facts,
    count,
    guide_facts,
    kiosk_token,
    screen_token,
    set_status,
    url,
)

PHONE = "13800138000"


def rate(app, body, token=None):
    return app.test_client().post(url(token or kiosk_token(app), "evaluations"), json=body)


def test_a_rating_is_stored_with_its_guide_department_window_and_contact(demo_app):
    guide = guide_facts(demo_app)
    r = rate(demo_app, {"level": 2, "guide": guide["code"], "bundle": None,
                        "reasons": ["等待时间过长", "材料要求不清楚或繁琐"], "contact": "138 0013-8000",
                        "comment": "  窗口人太少  ", "visit": VISIT})
    assert r.status_code == 201, r.get_json()
    assert r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    assert body["level"] == 2 and set(body) == {"id", "level"}
    with demo_app.app_context():
        row = db.session.get(Evaluation, body["id"])
        kiosk = db.session.scalar(select(Screen).where(Screen.kind == "kiosk"))
        assert (row.guide_id, row.department_id, row.window) == (guide["id"], guide["department_id"], guide["window"])
        assert (row.level, row.reasons, row.channel) == (2, ["等待时间过长", "材料要求不清楚或繁琐"], "kiosk")
        assert (row.contact_phone, row.comment, row.screen_id, row.bundle_id) == (PHONE, "窗口人太少", kiosk.id, None)
        assert row.rated_at is not None and row.external_id is None
        event = db.session.scalar(select(VisitEvent).where(VisitEvent.kind == "rating"))
        assert (event.level, event.ref, event.visit, event.screen_id) == (2, guide["code"], VISIT, kiosk.id)
        assert PHONE not in str([getattr(event, a.key) for a in VisitEvent.__mapper__.column_attrs])


def test_a_bundle_rating_takes_the_bundles_window_and_a_bare_rating_has_none(demo_app):
    bundle = bundle_facts(demo_app)
    first = rate(demo_app, {"level": 5, "bundle": bundle["code"], "reasons": ["办理速度快"]})
    bare = rate(demo_app, {"level": 3})
    assert first.status_code == bare.status_code == 201
    with demo_app.app_context():
        b = db.session.get(Evaluation, first.get_json()["id"])
        assert (b.bundle_id, b.guide_id, b.department_id, b.window) == (bundle["id"], None, None, bundle["window"])
        plain = db.session.get(Evaluation, bare.get_json()["id"])
        assert (plain.guide_id, plain.bundle_id, plain.window, plain.reasons, plain.contact_phone) == (
            None, None, "", [], None)


@pytest.mark.parametrize("contact", ["0379-63231110", "63231110", "010 8765 4321", "15912345678", ""])
def test_phone_numbers_people_write_are_accepted(demo_app, contact):
    r = rate(demo_app, {"level": 1, "contact": contact})
    assert r.status_code == 201, r.get_json()
    with demo_app.app_context():
        stored = db.session.get(Evaluation, r.get_json()["id"]).contact_phone
    assert stored == (contact.replace(" ", "").replace("-", "") or None)


LONG = "好" * 301
BAD = [
    ({}, "level"),
    ({"level": 0}, "level"),
    ({"level": 6}, "level"),
    ({"level": "5"}, "level"),
    ({"level": True}, "level"),
    ({"level": 4.5}, "level"),
    ({"level": 5, "guide": "NOPE"}, "guide"),
    ({"level": 5, "guide": 12}, "guide"),
    ({"level": 5, "guide": ""}, "guide"),
    ({"level": 5, "bundle": "nope"}, "bundle"),
    ({"level": 5, "guide": "@guide", "bundle": "newborn"}, "bundle"),
    ({"level": 5, "reasons": "办理速度快"}, "reasons"),
    ({"level": 5, "reasons": ["办理速度快", "不存在的原因"]}, "reasons[1]"),
    ({"level": 5, "reasons": ["等待时间过长"]}, "reasons[0]"),  # a level-2 reason on a 5
    ({"level": 5, "reasons": [7]}, "reasons[0]"),
    ({"level": 5, "reasons": ["办理速度快", "办理速度快"]}, "reasons[1]"),
    ({"level": 5, "reasons": ["办理速度快"] * 9}, "reasons"),
    ({"level": 2, "contact": "12345"}, "contact"),
    ({"level": 2, "contact": "138001380001"}, "contact"),
    ({"level": 2, "contact": "+8613800138000"}, "contact"),
    ({"level": 2, "contact": "12800138000"}, "contact"),
    ({"level": 2, "contact": "zhang@example.com"}, "contact"),
    ({"level": 2, "contact": 13800138000}, "contact"),
    ({"level": 2, "comment": LONG}, "comment"),
    ({"level": 2, "comment": ["x"]}, "comment"),
    ({"level": 2, "visit": "NOT-HEX!"}, "visit"),
    ({"level": 2, "visit": "abc"}, "visit"),
    ({"level": 2, "visit": "a" * 33}, "visit"),
]


@pytest.mark.parametrize(("body", "field"), BAD, ids=[f for _, f in BAD])
def test_each_malformed_field_is_refused_by_name_and_nothing_is_stored(demo_app, body, field):
    if body.get("guide") == "@guide":
        body = {**body, "guide": guide_facts(demo_app)["code"]}
    before = (count(demo_app, Evaluation), count(demo_app, VisitEvent))
    r = rate(demo_app, body)
    assert r.status_code == 400, r.get_json()
    error = r.get_json()["error"]
    assert (error["code"], error["field"]) == ("invalid_field", field)
    assert "(" in error["message"] and error["message"][0] > "\u2e80"  # Chinese, then English
    assert r.headers["Cache-Control"] == "no-store"
    assert (count(demo_app, Evaluation), count(demo_app, VisitEvent)) == before


def test_a_guide_that_is_not_published_cannot_be_rated(demo_app):
    guide = guide_facts(demo_app)
    set_status(demo_app, Guide, guide["code"], "draft")
    r = rate(demo_app, {"level": 4, "guide": guide["code"]})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "guide"
    assert count(demo_app, Evaluation) == 0


@pytest.mark.parametrize("raw", [b"[1, 2]", b"not json", b'"level"'])
def test_a_body_that_is_not_a_json_object_is_refused(demo_app, raw):
    r = demo_app.test_client().post(url(kiosk_token(demo_app), "evaluations"), data=raw,
                                    content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "body"
    assert count(demo_app, Evaluation) == 0


def test_a_huge_body_is_refused_before_it_is_read(demo_app):
    token = kiosk_token(demo_app)
    client = demo_app.test_client()
    big = '{"level": 5, "comment": "' + "x" * 70_000 + '"}'
    for path in ("evaluations", "events"):
        r = client.post(url(token, path), data=big, content_type="application/json")
        assert r.status_code == 413, path
        assert r.get_json()["error"]["code"] == "body_too_large"
    assert count(demo_app, Evaluation) == count(demo_app, VisitEvent) == 0


def test_the_seventh_rating_in_the_window_is_refused_and_the_limit_is_per_kiosk(demo_app):
    token, other = kiosk_token(demo_app), add_kiosk(demo_app)
    for _ in range(6):
        assert rate(demo_app, {"level": 5}, token).status_code == 201
    r = rate(demo_app, {"level": 5}, token)
    assert r.status_code == 429
    assert r.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 300
    assert count(demo_app, Evaluation) == 6
    assert rate(demo_app, {"level": 1}, other).status_code == 201  # another kiosk is not affected
    assert count(demo_app, Evaluation) == 7


def test_the_limit_comes_from_the_settings(demo_app):
    demo_app.config["RATING_LIMIT_COUNT"] = 2
    assert rate(demo_app, {"level": 5}).status_code == 201
    assert rate(demo_app, {"level": 5}).status_code == 201
    assert rate(demo_app, {"level": 5}).status_code == 429


def test_the_window_slides_retry_after_says_when(demo_app):
    """Counted by ``rated_at``: once the oldest rating is older than the window, one more fits."""
    t0 = utcnow()
    with demo_app.app_context():
        kiosk = db.session.scalar(select(Screen).where(Screen.kind == "kiosk"))
        for i in range(6):
            ratings.record_rating(db.session, kiosk, {"level": 4}, t0 + timedelta(seconds=i))
        db.session.commit()
        with pytest.raises(ratings.RateLimited) as refused:
            ratings.record_rating(db.session, kiosk, {"level": 4}, t0 + timedelta(seconds=100))
        assert refused.value.retry_after == 200
        db.session.rollback()
        ratings.record_rating(db.session, kiosk, {"level": 4}, t0 + timedelta(seconds=301))
        db.session.commit()


def test_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    from kiosk.config import SettingsError, load_settings

    monkeypatch.setenv("KIOSK_RATING_LIMIT_COUNT", "3")
    monkeypatch.setenv("KIOSK_RATING_LIMIT_WINDOW_SECONDS", "60")
    settings = load_settings({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert (settings["RATING_LIMIT_COUNT"], settings["RATING_LIMIT_WINDOW_SECONDS"]) == (3, 60)
    monkeypatch.setenv("KIOSK_RATING_LIMIT_COUNT", "lots")
    with pytest.raises(SettingsError, match="KIOSK_RATING_LIMIT_COUNT"):
        load_settings({"DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})


def test_the_contact_number_appears_in_no_public_output(demo_app):
    guide, token = guide_facts(demo_app), kiosk_token(demo_app)
    assert rate(demo_app, {"level": 1, "guide": guide["code"], "bundle": None,
                           "contact": PHONE, "reasons": ["服务态度差"]}).status_code == 201
    client = demo_app.test_client()
    wall = screen_token(demo_app, "led_wall")
    outputs = [
        client.get(url(token, "catalogue")),
        client.get(f"/api/v1/guides/{guide['id']}"),
        client.get("/api/v1/guides?q=sfz"),
        client.get("/api/v1/bundles"),
        client.get("/api/v1/bundles/newborn"),
        client.get(f"/screen/{token}/state"),
        client.get(f"/screen/{token}"),
        client.get(f"/screen/{wall}/state"),
        client.get(f"/g/{guide['code']}"),
    ]
    for r in outputs:
        assert r.status_code == 200, r.request.path
        text = r.get_data(as_text=True)
        assert PHONE not in text and "contact_phone" not in text, r.request.path
