"""The kiosk catalogue (docs/kiosk.md ``GET …/kiosk/catalogue``) and who may reach the touch
endpoints at all."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import PUBLISHED, Bundle, Guide, Screen, VisitEvent, utcnow

from .kiosk_util import VISIT, add_kiosk, guide_facts, kiosk_token, screen_token, set_status, url


def catalogue(app, token=None):
    r = app.test_client().get(url(token or kiosk_token(app), "catalogue"))
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def published_names(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(select(Guide.id, Guide.name).where(Guide.status == PUBLISHED)).all())


def ids_in_lists(cat) -> set[int]:
    ids = set(cat["popular"])
    for audience in cat["audiences"]:
        for theme in audience["themes"]:
            ids |= set(theme["guides"])
    for dept in cat["departments"]:
        ids |= set(dept["guides"])
    for bundle in cat["bundles"]:
        ids |= set(bundle["guides"])
    return ids


def add_views(app, code: str, n: int, days_ago: float) -> None:
    with app.app_context():
        at = utcnow() - timedelta(days=days_ago)
        db.session.add_all(VisitEvent(at=at, visit=VISIT, kind="guide_view", ref=code) for _ in range(n))
        db.session.commit()


# -- who may ask ----------------------------------------------------------------------------------
def touch_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/screen/<token>/kiosk/")]


def test_only_a_live_kiosk_token_opens_the_touch_endpoints(demo_app):
    """An LED wall's token, a revoked kiosk's and a made-up one get 404 on every touch route
    (the list comes from the app, so a new route is covered the day it is added)."""
    wall = screen_token(demo_app, "led_wall")
    revoked = add_kiosk(demo_app, "停用的自助机")
    with demo_app.app_context():
        db.session.scalar(select(Screen).where(Screen.token == revoked)).revoked_at = utcnow()
        db.session.commit()
    client = demo_app.test_client()
    rules = touch_rules(demo_app)
    assert {"touch.catalogue", "touch.evaluations", "touch.events"} <= {r.endpoint for r in rules}
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for token in (wall, revoked, "not-a-token", "x" * 200):
                body = {"level": 5, "visit": VISIT, "events": [{"kind": "visit_start"}]}
                r = client.open(rule.rule.replace("<token>", token), method=method,
                                json=body if method == "POST" else None)
                where = f"{method} {rule.rule} with {token[:12]}: {r.status_code}"
                assert r.status_code == 404, where
                assert r.get_json()["error"]["code"] == "not_found", where


# -- content --------------------------------------------------------------------------------------
def test_catalogue_lists_every_published_guide_by_audience_theme_and_department(demo_app):
    cat = catalogue(demo_app)
    names = published_names(demo_app)
    assert cat["hall"] == {"name": demo_app.config["HALL_NAME"]}
    assert {int(k) for k in cat["guides"]} == set(names)
    assert ids_in_lists(cat) <= set(names)
    entry = next(iter(cat["guides"].values()))
    assert set(entry) == {"id", "code", "name", "department", "department_short", "case_type", "online",
                          "themes", "audience", "promised_limit_days", "visits"}

    personal, legal = cat["audiences"]
    assert (personal["key"], personal["label"], legal["key"], legal["label"]) == (
        "personal", "个人办事", "legal", "法人办事")
    in_personal = {i for t in personal["themes"] for i in t["guides"]}
    in_legal = {i for t in legal["themes"] for i in t["guides"]}
    for key, guide in cat["guides"].items():
        assert (int(key) in in_personal) == ("自然人" in guide["audience"]), guide["name"]
        assert (int(key) in in_legal) == ("法人" in guide["audience"]), guide["name"]
        for theme in personal["themes"] + legal["themes"]:
            if int(key) in theme["guides"]:
                assert theme["name"] in guide["themes"]
    both = [g for g in cat["guides"].values() if {"自然人", "法人"} <= set(g["audience"])]
    assert both and all(g["id"] in in_personal and g["id"] in in_legal for g in both)
    sizes = [len(t["guides"]) for t in personal["themes"]]
    assert sizes == sorted(sizes, reverse=True)  # the biggest themes first

    dept_guides = [i for d in cat["departments"] for i in d["guides"]]
    assert sorted(dept_guides) == sorted(names)  # each guide under its one department
    gongan = next(d for d in cat["departments"] if d["code"] == "gongan")
    assert gongan["name"] == "洛阳市公安局老城分局" and gongan["short_name"] and gongan["phone"]

    newborn = next(b for b in cat["bundles"] if b["code"] == "newborn")
    assert newborn["name"] == "新生儿出生一件事" and len(newborn["guides"]) == 4
    assert newborn["promised_limit_days"] == 5 and newborn["window"]

    levels = cat["rating"]["levels"]
    assert [(lv["level"], lv["label"]) for lv in levels] == [
        (5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
    assert all(5 <= len(lv["reasons"]) <= 8 for lv in levels)
    assert "办事指南与实际要求不一致" in levels[3]["reasons"]


def test_drafts_never_appear_in_the_catalogue(demo_app):
    guide = guide_facts(demo_app, "出生医学证明")
    set_status(demo_app, Guide, guide["code"], "draft")
    set_status(demo_app, Bundle, "kaiban", "draft")
    cat = catalogue(demo_app)
    assert str(guide["id"]) not in cat["guides"] and guide["id"] not in ids_in_lists(cat)
    assert guide["name"] not in str(cat)
    assert "kaiban" not in {b["code"] for b in cat["bundles"]}
    newborn = next(b for b in cat["bundles"] if b["code"] == "newborn")
    assert len(newborn["guides"]) == 3  # the bundle stays, without its unpublished member


def test_the_version_moves_when_a_guide_is_published_and_an_etag_saves_the_body(demo_app):
    guide = guide_facts(demo_app)
    set_status(demo_app, Guide, guide["code"], "draft")
    client, token = demo_app.test_client(), kiosk_token(demo_app)
    first = client.get(url(token, "catalogue"))
    assert first.headers["Cache-Control"] == "no-cache"
    assert first.headers["ETag"] == f'"{first.get_json()["version"]}"'
    again = client.get(url(token, "catalogue"), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert catalogue(demo_app)["version"] == first.get_json()["version"]  # stable while nothing moves

    set_status(demo_app, Guide, guide["code"], PUBLISHED)
    after = client.get(url(token, "catalogue"), headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert after.get_json()["version"] != first.get_json()["version"]
    assert str(guide["id"]) in after.get_json()["guides"]


# -- popular ---------------------------------------------------------------------------------------
def test_popular_on_a_new_hall_is_twelve_guides_in_name_order(demo_app):
    cat = catalogue(demo_app)
    assert len(cat["popular"]) == 12
    from kiosk.services.touch.catalogue import name_key

    names = [cat["guides"][str(i)]["name"] for i in cat["popular"]]
    assert names == sorted(names, key=name_key)


def test_popular_follows_guide_views_of_the_last_30_days_only(demo_app):
    old = guide_facts(demo_app, "结婚登记")
    top = guide_facts(demo_app, "居民身份证换领")
    second = guide_facts(demo_app, "社会保障卡")
    add_views(demo_app, old["code"], 9, days_ago=31)  # many, but too long ago
    add_views(demo_app, top["code"], 3, days_ago=29)
    add_views(demo_app, second["code"], 2, days_ago=0)
    cat = catalogue(demo_app)
    assert cat["popular"][:2] == [top["id"], second["id"]]
    assert len(cat["popular"]) == 12
    assert old["id"] not in cat["popular"][:2]
    # the themes list the viewed guide first as well
    theme = next(t for t in cat["audiences"][0]["themes"] if top["id"] in t["guides"])
    assert theme["guides"][0] == top["id"]


def test_guide_views_posted_by_the_page_make_a_guide_popular(demo_app):
    guide = guide_facts(demo_app, "结婚登记")
    token = kiosk_token(demo_app)
    events = [{"kind": "guide_view", "guide": guide["code"]}] * 3
    r = demo_app.test_client().post(url(token, "events"), json={"visit": VISIT, "events": events})
    assert r.status_code == 204
    assert catalogue(demo_app)["popular"][0] == guide["id"]


def test_a_much_viewed_guide_that_is_taken_off_is_not_popular(demo_app):
    guide = guide_facts(demo_app, "结婚登记")
    add_views(demo_app, guide["code"], 5, days_ago=1)
    set_status(demo_app, Guide, guide["code"], "expired")
    assert guide["id"] not in catalogue(demo_app)["popular"]
