"""No 5xx from input (issue 10): huge ids, deep JSON, big anonymous bodies, forged counts;
and the headers every page carries."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Guide, Screen

from ..admin.conftest import login, make_user, page_token

HUGE = "9223372036854775808"  # 2**63: no 64-bit column holds it


@pytest.mark.parametrize("url", [f"/api/v1/guides/{HUGE}", f"/api/v1/guides/{HUGE}0000",
                                 f"/admin/disclosure/{HUGE}", f"/admin/screens/{HUGE}/edit"])
@pytest.mark.reliability('Integer ids ≥ 2^63 in URLs', 'GET API and panel routes with 9223372036854775808 and longer', '404, never 5xx')
def test_an_id_beyond_64_bits_is_a_404_not_a_500(demo_app, url):
    client = demo_app.test_client()
    if url.startswith("/admin"):
        make_user(demo_app, "boss", "admin")
        login(client, "boss")
    assert client.get(url).status_code == 404


def deep(n: int) -> str:
    return "[" * n + "]" * n


@pytest.mark.parametrize("depth", [40, 5000, 100_000])
@pytest.mark.reliability('Deeply nested JSON', '40, 5,000 and 100,000 nested arrays on the anonymous pairing endpoint and the alert API', '400/413, never 5xx')
def test_deep_json_is_a_400_everywhere(demo_app, depth):
    client = demo_app.test_client()
    r = client.post("/screen/pair/code", data=deep(depth), content_type="application/json")
    assert r.status_code in (400, 413), r.status_code
    make_user(demo_app, "boss", "admin")
    from kiosk.services.users import create_token

    with demo_app.app_context():
        _, plain = create_token(db.session, "boss", actor="test")
        db.session.commit()
    nested = '{"text": "x", "groups": ' + deep(depth) + "}"
    r = client.post("/api/v1/alerts", data=nested, content_type="application/json",
                    headers={"Authorization": f"Bearer {plain}"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_json"


@pytest.mark.reliability('20 MB JSON body on an anonymous endpoint', 'POST /screen/pair/code', '413 before the body is read')
def test_a_large_body_on_the_anonymous_pairing_endpoint_is_refused_unread(app):
    body = json.dumps({"secret": "x" * (20 * 1024 * 1024)})
    r = app.test_client().post("/screen/pair/code", data=body, content_type="application/json")
    assert r.status_code == 413


@pytest.mark.reliability('Forged form counts', 'm-count = abc, -3, 1e9, fifty full-width digits on the guide form', 'no 5xx')
def test_a_forged_material_count_on_the_guide_form_is_no_rows_not_a_500(demo_app):
    make_user(demo_app, "ed", "editor")
    client = demo_app.test_client()
    login(client, "ed")
    with demo_app.app_context():
        code = db.session.scalar(select(Guide.code).limit(1))
    for count in ("abc", "-3", "1e9", "９" * 50):
        r = client.post(f"/admin/content/guides/{code}/edit", data={
            "csrf_token": page_token(client, f"/admin/content/guides/{code}/edit"), "m-count": count})
        assert r.status_code < 500, (count, r.status_code)


def screen_token(app, kind: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Screen.token).where(Screen.kind == kind).limit(1))


@pytest.mark.reliability('Missing security headers', 'GET /screen, /screen/<token> (wall, kiosk), /g/<code>, /admin/login', 'CSP without inline script, frame-ancestors, nosniff, Referrer-Policy')
def test_every_page_people_open_has_security_headers(demo_app):
    client = demo_app.test_client()
    with demo_app.app_context():
        guide = db.session.scalar(select(Guide.code).limit(1))
    pages = ["/screen", f"/screen/{screen_token(demo_app, 'led_wall')}",
             f"/screen/{screen_token(demo_app, 'kiosk')}", f"/g/{guide}", "/admin/login"]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        csp = r.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp and "object-src 'none'" in csp, url
        assert "frame-ancestors" in csp, url
        assert "script-src 'self'" in csp or url.startswith("/admin"), url
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[-1].split(";")[0], url
        assert r.headers["X-Content-Type-Options"] == "nosniff", url
        assert r.headers["Referrer-Policy"] in ("same-origin", "no-referrer"), url
    # JSON and files get nosniff too
    assert client.get("/api/v1/guides").headers["X-Content-Type-Options"] == "nosniff"
