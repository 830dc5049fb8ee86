"""JSON API v1: search, screens, alerts, errors, health."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Alert, AuditLog, Bundle, Guide, Screen
from kiosk.services.users import add_user, create_token


def token_for(app, name: str, role: str) -> dict[str, str]:
    with app.app_context():
        add_user(db.session, name, role, "correct-horse-42", actor="test")
        _, plain = create_token(db.session, name, actor="test")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def admin(demo_app):
    return token_for(demo_app, "boss", "admin")


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    body = client.get("/readyz").get_json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_guide_search_by_pinyin_initials_and_chinese(demo_app):
    client = demo_app.test_client()
    by_initials = client.get("/api/v1/guides?q=sfz").get_json()
    assert by_initials["count"] >= 2
    assert all("身份证" in g["name"] for g in by_initials["guides"])
    by_text = client.get("/api/v1/guides?q=身份证").get_json()
    assert {g["id"] for g in by_text["guides"]} == {g["id"] for g in by_initials["guides"]}
    assert client.get("/api/v1/guides?q=zzzzqqqq").get_json()["count"] == 0


def test_guide_detail_has_the_national_elements(demo_app):
    client = demo_app.test_client()
    first = client.get("/api/v1/guides?q=sfz").get_json()["guides"][0]
    detail = client.get(f"/api/v1/guides/{first['id']}").get_json()
    for key in ("basis", "conditions", "materials", "process", "promised_limit_days", "case_type",
                "fee", "location", "window", "hours", "phone", "complaint_phone", "visits",
                "online", "scope", "audience", "themes", "faq"):
        assert key in detail, key
    assert detail["url"].endswith(f"/g/{detail['code']}")
    assert client.get("/api/v1/guides/999999").status_code == 404
    assert client.get("/api/v1/guides/999999").get_json()["error"]["code"] == "not_found"


def test_guide_materials_link_their_blank_and_sample_forms(demo_app):
    """The same /files/ URLs the phone page links; null where a material has no such file."""
    client = demo_app.test_client()
    with demo_app.app_context():
        guide = db.session.scalar(select(Guide).where(Guide.name == "居民身份证申领（首次申领）"))
        gid, code = guide.id, guide.code
    materials = client.get(f"/api/v1/guides/{gid}").get_json()["materials"]
    assert all({"blank_form_url", "sample_form_url"} <= set(m) for m in materials)
    form = next(m for m in materials if m["name"] == "居民身份证申领登记表")
    assert form["blank_form_url"] is None and form["sample_form_url"].startswith("/files/")
    assert form["sample_form_url"] in client.get(f"/g/{code}").get_data(as_text=True)
    served = client.get(form["sample_form_url"])
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert all(m["sample_form_url"] is None for m in materials if m is not form)


def test_bundles_list_and_detail_with_the_merged_materials(demo_app):
    client = demo_app.test_client()
    listed = client.get("/api/v1/bundles").get_json()
    assert listed["count"] == len(listed["bundles"]) >= 2
    newborn = next(b for b in listed["bundles"] if b["code"] == "newborn")
    assert newborn["name"] == "新生儿出生一件事" and newborn["guide_count"] == 4 and newborn["description"]
    detail = client.get("/api/v1/bundles/newborn").get_json()
    with demo_app.app_context():
        bundle = db.session.scalar(select(Bundle).where(Bundle.code == "newborn"))
        member_codes = [g.code for g in bundle.guides]
        merged = bundle.merged_materials()
    assert [g["code"] for g in detail["guides"]] == member_codes
    assert [m["name"] for m in detail["materials"]] == [m["name"] for m in merged]
    assert all({"for", "necessity", "copies", "blank_form_url", "sample_form_url"} <= set(m)
               for m in detail["materials"])
    assert client.get("/api/v1/bundles/nope").get_json()["error"]["code"] == "not_found"


def test_bundle_materials_carry_the_member_guides_forms(demo_app):
    client = demo_app.test_client()
    for summary in client.get("/api/v1/bundles").get_json()["bundles"]:
        detail = client.get(f"/api/v1/bundles/{summary['code']}").get_json()
        for guide in detail["guides"]:
            for m in client.get(f"/api/v1/guides/{guide['id']}").get_json()["materials"]:
                merged = next(x for x in detail["materials"] if x["name"] == m["name"])
                for key in ("blank_form_url", "sample_form_url"):
                    if m[key]:
                        assert merged[key], (summary["code"], m["name"], key)


def test_unpublished_bundles_and_member_guides_are_left_out(demo_app):
    client = demo_app.test_client()
    with demo_app.app_context():
        bundle = db.session.scalar(select(Bundle).where(Bundle.code == "newborn"))
        member = bundle.guides[0]
        member.status = "expired"
        only_there = {m.name for m in member.materials} - {
            m.name for g in bundle.guides[1:] for m in g.materials}
        name = member.name
        db.session.scalar(select(Bundle).where(Bundle.code == "kaiban")).status = "draft"
        db.session.commit()
    codes = {b["code"] for b in client.get("/api/v1/bundles").get_json()["bundles"]}
    assert "newborn" in codes and "kaiban" not in codes
    assert client.get("/api/v1/bundles/kaiban").status_code == 404
    detail = client.get("/api/v1/bundles/newborn").get_json()
    assert detail["guide_count"] == 3 and name not in {g["name"] for g in detail["guides"]}
    assert only_there and not only_there & {m["name"] for m in detail["materials"]}
    assert all(name not in m["for"] for m in detail["materials"])


def test_search_rejects_bad_parameters_with_json_errors(client):
    r = client.get("/api/v1/guides?limit=abc")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "limit"
    r = client.get("/api/v1/guides?q=" + "长" * 101)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "q"


def test_screens_need_a_token_and_the_right_role(demo_app, admin):
    client = demo_app.test_client()
    assert client.get("/api/v1/screens").status_code == 401
    assert client.get("/api/v1/screens", headers={"Authorization": "Bearer nope"}).status_code == 401
    viewer = token_for(demo_app, "watcher", "viewer")
    listed = client.get("/api/v1/screens", headers=viewer).get_json()
    assert listed["count"] >= 4 and "token" not in listed["screens"][0]
    r = client.post("/api/v1/screens", json={"name": "新屏", "group": "lobby", "kind": "led_wall"},
                    headers=viewer)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_create_screen_returns_its_token_and_validates(demo_app, admin):
    client = demo_app.test_client()
    r = client.post("/api/v1/screens", json={"name": "二楼大屏", "group": "floor2", "kind": "led_wall"},
                    headers=admin)
    assert r.status_code == 201
    body = r.get_json()
    assert body["token"] and body["layout"] == "led_wall" and body["group"] == "floor2"
    assert client.get(f"/screen/{body['token']}").status_code == 200
    bad = [
        ({"name": "x", "group": "g", "kind": "tv"}, "kind"),
        ({"name": "", "group": "g", "kind": "kiosk"}, "name"),
        ({"group": "g", "kind": "kiosk"}, "name"),
        ({"name": "y", "group": "g", "kind": "kiosk", "layout": "nope"}, "layout"),
        ({"name": "二楼大屏", "group": "g", "kind": "kiosk"}, "name"),
    ]
    for payload, field in bad:
        r = client.post("/api/v1/screens", json=payload, headers=admin)
        assert 400 <= r.status_code < 500 and r.get_json()["error"]["field"] == field, payload
    r = client.post("/api/v1/screens", data="{not json", headers={**admin, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"
    with demo_app.app_context():
        assert db.session.query(Screen).filter_by(name="y").count() == 0


def test_alert_validation_never_500s(demo_app, admin):
    client = demo_app.test_client()
    cases = [
        ({}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": "ok", "level": "panic"}, "level"),
        ({"text": "ok", "groups": "lobby"}, "groups"),
        ({"text": "ok", "groups": []}, "groups"),
        ({"text": "ok", "groups": ["no-such-group"]}, "groups"),
        ({"text": "ok", "expires_in": -5}, "expires_in"),
        ({"text": "ok", "expires_in": "soon"}, "expires_in"),
        ({"text": "ok", "expires_in": True}, "expires_in"),
    ]
    for payload, field in cases:
        r = client.post("/api/v1/alerts", json=payload, headers=admin)
        assert r.status_code == 400, payload
        assert r.get_json()["error"]["field"] == field, payload
    with demo_app.app_context():
        assert db.session.query(Alert).count() == 0


def test_alert_lifecycle_is_audited(demo_app, admin):
    client = demo_app.test_client()
    r = client.post("/api/v1/alerts", json={"text": "暴雨预警，请注意安全", "level": "critical",
                                             "groups": ["lobby"], "expires_in": 120}, headers=admin)
    assert r.status_code == 201
    alert = r.get_json()
    assert alert["groups"] == ["lobby"] and alert["expires_at"]
    assert [a["id"] for a in client.get("/api/v1/alerts", headers=admin).get_json()["alerts"]] == [alert["id"]]
    assert client.delete(f"/api/v1/alerts/{alert['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/alerts", headers=admin).get_json()["alerts"] == []
    assert client.delete("/api/v1/alerts/424242", headers=admin).status_code == 404
    with demo_app.app_context():
        actions = [a.action for a in db.session.query(AuditLog).filter_by(object_type="alert")]
        assert actions == ["create", "cancel"]


def test_editor_cannot_send_alerts(demo_app):
    editor = token_for(demo_app, "writer", "editor")
    r = demo_app.test_client().post("/api/v1/alerts", json={"text": "x"}, headers=editor)
    assert r.status_code == 403


def test_mobile_guide_page_and_qr(demo_app):
    client = demo_app.test_client()
    with demo_app.app_context():
        guide = db.session.query(Guide).filter(Guide.name.contains("身份证")).first()
        code, name = guide.code, guide.name
    page = client.get(f"/g/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert name in html and "<script" not in html and 'lang="zh-CN"' in html
    qr = client.get(f"/g/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert b"<svg" in qr.data
    assert client.get("/g/NOPE").status_code == 404


def test_screen_state_fallback_returns_204_when_current(demo_app):
    client = demo_app.test_client()
    with demo_app.app_context():
        token = db.session.query(Screen).first().token
    state = client.get(f"/screen/{token}/state").get_json()
    assert state["version"]
    assert client.get(f"/screen/{token}/state?since={state['version']}").status_code == 204
    assert client.get(f"/screen/{token}/state?since=old").status_code == 200
    assert client.get("/screen/not-a-token/state").status_code == 404


def test_openapi_document_lists_every_api_route(app):
    """docs/openapi.yaml is the API's contract: a route missing from it is a docs bug."""
    import re
    from pathlib import Path

    import yaml

    spec = yaml.safe_load((Path(__file__).parent.parent / "docs" / "openapi.yaml").read_text("utf-8"))
    methods = {"get", "post", "put", "patch", "delete"}
    # paths with their own ``servers`` are outside /api/v1 (the kiosk's, tagged "kiosk")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() if "servers" not in ops
                  for method in ops if method in methods}
    touch_documented = {(path, method.upper()) for path, ops in spec["paths"].items() if "servers" in ops
                        for method in ops if method in methods}
    served, touch_served = set(), set()
    for rule in app.url_map.iter_rules():
        ops = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), m) for m in rule.methods - {"HEAD", "OPTIONS"}}
        if rule.rule.startswith("/api/v1/"):
            served |= {(path[len("/api/v1"):].replace("{guide_id}", "{id}").replace("{alert_id}", "{id}"), m)
                       for path, m in ops}
        elif rule.rule.startswith("/screen/<token>/kiosk/"):
            touch_served |= ops
    assert served == documented
    assert touch_documented <= touch_served
    assert {("/screen/{token}/kiosk/catalogue", "GET"), ("/screen/{token}/kiosk/evaluations", "POST"),
            ("/screen/{token}/kiosk/events", "POST")} <= touch_documented


def test_qr_codes_carry_the_public_base_url(demo_app):
    """A phone scans the QR: it must lead to KIOSK_PUBLIC_BASE_URL (http://hall.example in
    the tests), not to whatever address the screen or this request used."""
    from kiosk.services.publish import get_publisher
    from kiosk.services.qr import qr_svg

    def path_of(svg: str) -> str:  # the modules of the code, as one SVG path
        return svg.split(' d="', 1)[1].split('"', 1)[0]

    client = demo_app.test_client()
    with demo_app.app_context():
        state = get_publisher(demo_app).state_for("lobby", "led_wall")
    slide_id = next(i for i in state["items"] if i.startswith("guide:"))  # the wall plays guides
    code = slide_id.split(":", 1)[1].split("#", 1)[0]
    public = qr_svg(f"http://hall.example/g/{code}")
    local = qr_svg(f"http://localhost/g/{code}")
    served = client.get(f"/g/{code}/qr.svg", base_url="http://localhost").get_data(as_text=True)
    assert served == public and path_of(served) != path_of(local)
    slide = json.dumps(state["items"][slide_id], ensure_ascii=False)
    assert path_of(public) in slide and path_of(local) not in slide


def test_readiness_fails_with_the_reason_when_the_database_is_gone(tmp_path):
    from .conftest import dispose, make_app

    app = make_app(tmp_path, tmp_path / "gone" / "kiosk.db", create=False)  # folder missing
    try:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200  # the process is up …
        ready = client.get("/readyz")
        assert ready.status_code == 503  # … but not ready for screens
        assert ready.get_json()["status"] == "unavailable" and ready.get_json()["database"]
    finally:
        dispose(app)


def test_search_answers_any_text_and_never_errs(demo_app):
    """Issue 9: control characters, search syntax and punctuation are just characters; a
    query over 100 characters is refused by name (a 4xx, never a 5xx)."""
    client = demo_app.test_client()
    for q in ['"身份证"', "身份* OR 户口", "NEAR(身份 证)", "！？。，、", "\x00\x1b[2J身份证", "'; DROP TABLE guide;--",
              "sfz*", "a AND b", "🙂", "%_%", "\u202e证份身"]:
        for path in ("/api/v1/search", "/api/v1/guides"):
            r = client.get(path, query_string={"q": q})
            assert r.status_code == 200, (path, q, r.status_code)
            body = r.get_json()
            assert body["count"] == len(body.get("results", body.get("guides")))
    r = client.get("/api/v1/search", query_string={"q": "办" * 10000})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "q"


def test_search_finds_bundles_and_guides_for_what_people_say(demo_app):
    client = demo_app.test_client()
    body = client.get("/api/v1/search", query_string={"q": "生孩子要办哪些手续"}).get_json()
    kinds = {r["kind"] for r in body["results"]}
    assert kinds == {"guide", "bundle"}
    assert any(r["kind"] == "bundle" and r["code"] == "newborn" for r in body["results"][:5])
    guide = next(r for r in body["results"] if r["kind"] == "guide")
    assert guide["url"].endswith(f"/g/{guide['code']}")
    top = client.get("/api/v1/guides", query_string={"q": "结婚证丢了"}).get_json()["guides"][0]
    assert top["name"] == "补领婚姻登记证"
