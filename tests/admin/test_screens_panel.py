"""Screens page, pairing by code, revoke/rename/reload/identify and the live /staff namespace."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

import pytest
from sqlalchemy import select

from kiosk.extensions import db, socketio
from kiosk.models import AuditLog, PairingCode, Screen, utcnow
from kiosk.services import pairing

from .conftest import csrf_from, login, make_user, text_of

SECRET = "device-secret-0123456789abcdef"


@pytest.fixture
def admin_client(demo_app):
    make_user(demo_app, "boss", "admin")
    client = demo_app.test_client()
    assert login(client, "boss").status_code == 302
    return client


def new_code(app, secret: str = SECRET) -> str:
    r = app.test_client().post("/screen/pair/code", json={"secret": secret})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["code"]


def claim(client, code: str, name: str = "三楼窗口屏", group: str = "三楼", kind: str = "window"):
    token = csrf_from(client.get("/admin/screens/pair").text)
    return client.post("/admin/screens/pair", data={"csrf_token": token, "code": code, "name": name,
                                                    "group": group, "kind": kind, "layout": ""})


def status(app, code: str, secret: str = SECRET):
    return app.test_client().get("/screen/pair/status", query_string={"code": code, "secret": secret})


def screen_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Screen.id)).all())


def display(app, token):
    return socketio.test_client(app, namespace="/display", auth={"token": token})


# -- pairing --------------------------------------------------------------------------------------
def test_pair_page_shows_instructions_with_the_vendored_font(demo_app):
    r = demo_app.test_client().get("/screen")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "请在管理后台输入配对码" in html
    assert "vendor/noto-sans-sc/noto-sans-sc.css" in html and "display/pair.js" in html


def test_pairing_end_to_end(demo_app, admin_client):
    code = new_code(demo_app)
    assert len(code) == 6 and code.isdigit()
    assert new_code(demo_app) == code  # the same device keeps its code while it is valid
    assert new_code(demo_app, "another-device-secret-000") != code
    r = status(demo_app, code)
    assert r.status_code == 200 and r.get_json()["status"] == "pending"
    assert "url" not in r.get_json()

    before = screen_count(demo_app)
    r = claim(admin_client, f"{code[:3]} {code[3:]}")  # people type spaces
    assert r.status_code == 302 and r.location.endswith("/admin/screens"), r.get_data(as_text=True)
    assert screen_count(demo_app) == before + 1

    body = status(demo_app, code).get_json()
    assert body["status"] == "claimed" and body["url"].startswith("/screen/")
    token = body["url"].rsplit("/", 1)[1]
    assert status(demo_app, code, "someone-elses-secret-xyz").status_code == 404  # secret bound
    with demo_app.app_context():
        screen = db.session.scalar(select(Screen).where(Screen.token == token))
        assert (screen.name, screen.group.name, screen.kind, screen.layout) == ("三楼窗口屏", "三楼", "window", "window")
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "pair"))
        assert audit.actor == "boss" and audit.object_id == str(screen.id) and audit.after["group"] == "三楼"
    assert demo_app.test_client().get(body["url"]).status_code == 200
    assert display(demo_app, token).is_connected("/display")
    # the code is used up
    assert claim(admin_client, code, name="另一块屏").status_code == 400


def test_wrong_and_expired_codes_create_nothing(demo_app, admin_client):
    with demo_app.app_context():
        old = pairing.issue(db.session, SECRET, now=utcnow() - timedelta(minutes=11))
        db.session.commit()
        expired = old.code
    before = screen_count(demo_app)
    r = claim(admin_client, expired)
    assert r.status_code == 400 and "配对码不正确或已过期" in text_of(r)
    assert status(demo_app, expired).status_code == 404
    r = claim(admin_client, "12ab56")
    assert r.status_code == 400 and "6 位数字" in text_of(r)
    assert screen_count(demo_app) == before
    with demo_app.app_context():
        assert not db.session.scalars(select(AuditLog).where(AuditLog.action == "pair")).all()


def test_code_guessing_is_limited_per_staff_member(demo_app, admin_client):
    good = new_code(demo_app)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for _ in range(pairing.MAX_WRONG):
        assert claim(admin_client, wrong).status_code == 400
    r = claim(admin_client, good)
    assert r.status_code == 429 and "错误次数过多" in text_of(r)
    assert status(demo_app, good).get_json()["status"] == "pending"  # still open, nothing created
    other = demo_app.test_client()
    make_user(demo_app, "boss2", "admin")
    login(other, "boss2")
    assert claim(other, good).status_code == 302


def test_bad_secrets_are_refused(demo_app):
    client = demo_app.test_client()
    assert client.post("/screen/pair/code", json={"secret": "short"}).status_code == 400
    assert client.post("/screen/pair/code", json={}).status_code == 400
    assert client.get("/screen/pair/status?code=123456").status_code == 404


def test_expired_codes_are_purged_and_renewed(demo_app):
    with demo_app.app_context():
        pairing.issue(db.session, SECRET, now=utcnow() - timedelta(minutes=20))
        db.session.commit()
    code = new_code(demo_app)
    with demo_app.app_context():
        rows = db.session.scalars(select(PairingCode)).all()
        assert [r.code for r in rows] == [code] and rows[0].expires_at > utcnow()


# -- the list and actions ------------------------------------------------------------------------------
def first_screen(app, kind="led_wall"):
    with app.app_context():
        s = db.session.scalar(select(Screen).where(Screen.kind == kind).order_by(Screen.id))
        return s.id, s.token, s.name


def post(client, url, **data):
    token = csrf_from(client.get("/admin/screens").text)
    return client.post(url, data={"csrf_token": token, **data})


def test_viewer_sees_the_list_without_actions_or_tokens(demo_app):
    make_user(demo_app, "look", "viewer")
    client = demo_app.test_client()
    login(client, "look")
    screen_id, token, name = first_screen(demo_app)
    html = client.get("/admin/screens").get_data(as_text=True)
    assert name in html and "离线" in html
    assert token not in html and "/revoke" not in html and "配对新屏幕" not in html


def test_admin_sees_actions_and_the_online_screen(demo_app, admin_client):
    screen_id, token, name = first_screen(demo_app)
    display(demo_app, token)
    html = admin_client.get("/admin/screens").get_data(as_text=True)
    assert f'/admin/screens/{screen_id}/revoke' in html and "在线" in html


def test_revoke_disconnects_and_refuses_the_next_connect(demo_app, admin_client):
    screen_id, token, _ = first_screen(demo_app)
    live = display(demo_app, token)
    assert live.is_connected("/display")
    r = post(admin_client, f"/admin/screens/{screen_id}/revoke")
    assert r.status_code == 302
    assert not live.is_connected("/display")
    assert not display(demo_app, token).is_connected("/display")
    assert demo_app.test_client().get(f"/screen/{token}").status_code == 404
    with demo_app.app_context():
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "revoke"))
        assert audit.actor == "boss" and audit.object_id == str(screen_id)


def events(client, name):
    return [m["args"][0] if m["args"] else None for m in client.get_received("/display") if m["name"] == name]


def test_reload_and_identify_reach_only_that_screen(demo_app, admin_client):
    screen_id, token, name = first_screen(demo_app)
    _, other_token, _ = first_screen(demo_app, "window")
    live, other = display(demo_app, token), display(demo_app, other_token)
    live.get_received("/display"), other.get_received("/display")
    post(admin_client, f"/admin/screens/{screen_id}/reload")
    post(admin_client, f"/admin/screens/{screen_id}/identify")
    received = live.get_received("/display")
    assert [m["name"] for m in received] == ["reload", "identify"]
    assert received[1]["args"][0]["name"] == name
    assert other.get_received("/display") == []


def test_rename_and_move_group_reloads_the_screen(demo_app, admin_client):
    screen_id, token, _ = first_screen(demo_app)
    live = display(demo_app, token)
    live.get_received("/display")
    r = post(admin_client, f"/admin/screens/{screen_id}/edit", name="<b>新名字</b>", group="新分组")
    assert r.status_code == 302
    assert [m["name"] for m in live.get_received("/display")] == ["reload"]
    with demo_app.app_context():
        screen = db.session.get(Screen, screen_id)
        assert (screen.name, screen.group.name) == ("<b>新名字</b>", "新分组")
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "update",
                                                         AuditLog.object_type == "screen"))
        assert audit.after == {"name": "<b>新名字</b>", "group": "新分组"}
    html = admin_client.get("/admin/screens").get_data(as_text=True)
    assert "&lt;b&gt;新名字&lt;/b&gt;" in html and "<b>新名字" not in html
    # a name already taken is refused next to the field
    _, _, taken = first_screen(demo_app, "window")
    r = post(admin_client, f"/admin/screens/{screen_id}/edit", name=taken, group="新分组")
    assert r.status_code == 400 and "屏幕名称已存在" in text_of(r)


def test_a_kiosks_idle_timeout_is_set_on_its_edit_page_and_reloads_it(demo_app, admin_client):
    screen_id, token, name = first_screen(demo_app, "kiosk")
    page = admin_client.get(f"/admin/screens/{screen_id}/edit")
    assert "空闲返回时间（秒）" in text_of(page) and 'name="idle_seconds"' in page.text
    live = display(demo_app, token)
    live.get_received("/display")
    r = post(admin_client, f"/admin/screens/{screen_id}/edit", name=name, group="kiosks", idle_seconds="90")
    assert r.status_code == 302
    assert [m["name"] for m in live.get_received("/display")] == ["reload"]
    with demo_app.app_context():
        screen = db.session.get(Screen, screen_id)
        assert (screen.idle_seconds, screen.idle_timeout) == (90, 90)
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "update",
                                                         AuditLog.object_type == "screen"))
        assert audit.before["idle_seconds"] is None and audit.after["idle_seconds"] == 90
    assert 'value="90"' in admin_client.get(f"/admin/screens/{screen_id}/edit").text
    # out of range or not a number: refused next to the field, nothing saved, no reload
    for bad in ("10", "601", "abc", "60.5", "-30"):
        r = post(admin_client, f"/admin/screens/{screen_id}/edit", name=name, group="kiosks", idle_seconds=bad)
        assert r.status_code == 400 and "20 到 600" in text_of(r), bad
    assert live.get_received("/display") == []
    r = post(admin_client, f"/admin/screens/{screen_id}/edit", name=name, group="kiosks", idle_seconds="１２０")
    assert r.status_code == 302  # full-width digits from a Chinese input method are fine
    with demo_app.app_context():
        assert db.session.get(Screen, screen_id).idle_seconds == 120
    # empty = back to the default 60 s
    r = post(admin_client, f"/admin/screens/{screen_id}/edit", name=name, group="kiosks", idle_seconds=" ")
    assert r.status_code == 302
    with demo_app.app_context():
        screen = db.session.get(Screen, screen_id)
        assert (screen.idle_seconds, screen.idle_timeout) == (None, 60)


def test_other_screens_have_no_idle_timeout(demo_app, admin_client):
    screen_id, _, name = first_screen(demo_app)
    page = admin_client.get(f"/admin/screens/{screen_id}/edit")
    assert "空闲返回时间" not in text_of(page)
    r = post(admin_client, f"/admin/screens/{screen_id}/edit", name=name, group="新分组", idle_seconds="90")
    assert r.status_code == 302
    with demo_app.app_context():
        assert db.session.get(Screen, screen_id).idle_seconds is None


# -- the /staff namespace ------------------------------------------------------------------------------
def test_staff_namespace_refuses_anonymous(demo_app):
    anon = socketio.test_client(demo_app, namespace="/staff", flask_test_client=demo_app.test_client())
    assert not anon.is_connected("/staff")
    assert not socketio.test_client(demo_app, namespace="/staff").is_connected("/staff")


def test_display_events_reach_connected_staff(demo_app, admin_client):
    staff = socketio.test_client(demo_app, namespace="/staff", flask_test_client=admin_client)
    assert staff.is_connected("/staff")
    screen_id, token, _ = first_screen(demo_app)
    live = display(demo_app, token)
    live.emit("heartbeat", {"version": "v-test", "showing": "guide:NOPE#2"}, namespace="/display")
    live.disconnect(namespace="/display")
    got = [m["args"][0] for m in staff.get_received("/staff") if m["name"] == "screen"]
    mine = [p for p in got if p["id"] == screen_id]
    assert [p.get("online") for p in mine] == [True, True, False]
    assert mine[1]["version"] == "v-test" and mine[1]["showing"] == "guide:NOPE#2"
    assert mine[1]["showing_title"] == "guide:NOPE（2）"
    assert all("token" not in p for p in mine)
    # staff sockets only listen
    staff.emit("heartbeat", {"x": 1}, namespace="/staff")
    assert staff.is_connected("/staff")


def test_an_idle_staff_socket_is_closed_and_cannot_come_back(demo_app, admin_client):
    """The 30-minute idle rule holds on the live socket too, not only at its connect."""
    from kiosk.realtime.staff import StaffNamespace

    [ns] = [n for n in socketio.namespace_handlers if isinstance(n, StaffNamespace)]
    ns.deadlines.clear()  # sockets of earlier tests (the namespace outlives their apps)
    staff = socketio.test_client(demo_app, namespace="/staff", flask_test_client=admin_client)
    assert staff.is_connected("/staff")
    [deadline] = ns.deadlines.values()
    idle = demo_app.config["ADMIN_IDLE_MINUTES"] * 60
    assert time.time() + idle - 60 < deadline <= time.time() + idle + 1
    assert ns.reap_idle(deadline - 1) == []
    assert staff.is_connected("/staff")
    closed = ns.reap_idle(deadline + 1)
    assert len(closed) == 1 and not staff.is_connected("/staff")
    # the same (now idle) session cannot open a new socket once the clock passed the limit
    later = datetime.fromtimestamp(deadline + 1, UTC)
    with patch("kiosk.services.accounts.current_time", return_value=later):
        again = socketio.test_client(demo_app, namespace="/staff", flask_test_client=admin_client)
        assert not again.is_connected("/staff")
