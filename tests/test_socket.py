"""The /display namespace with Flask-SocketIO's test client (in process)."""

from __future__ import annotations

import pytest

from kiosk.extensions import db, socketio
from kiosk.models import Screen, User, utcnow
from kiosk.services.publish import get_publisher
from kiosk.services.users import add_user, create_token


@pytest.fixture
def screen_token(demo_app):
    with demo_app.app_context():
        screen = db.session.query(Screen).filter_by(kind="led_wall").order_by(Screen.id).first()
        return screen.token


@pytest.fixture
def api_headers(demo_app):
    with demo_app.app_context():
        add_user(db.session, "ops", "admin", "correct-horse-42", actor="test")
        _, plain = create_token(db.session, "ops", actor="test")
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}


def connect(app, token):
    return socketio.test_client(app, namespace="/display", auth={"token": token} if token else None)


def states(client):
    return [m["args"][0] for m in client.get_received("/display") if m["name"] == "state"]


@pytest.mark.parametrize("auth", [None, "not-a-token", "x" * 200])
def test_bad_token_is_refused(demo_app, auth):
    client = connect(demo_app, auth)
    assert not client.is_connected("/display")


def test_revoked_token_is_refused(demo_app, screen_token):
    with demo_app.app_context():
        screen = db.session.query(Screen).filter_by(token=screen_token).one()
        screen.revoked_at = utcnow()
        db.session.commit()
    assert not connect(demo_app, screen_token).is_connected("/display")


def test_state_on_connect_carries_the_contract(demo_app, screen_token):
    client = connect(demo_app, screen_token)
    assert client.is_connected("/display")
    [state] = states(client)
    for key in ("version", "screen", "layout", "timeline", "ticker", "alerts", "items", "server_time"):
        assert key in state
    assert state["screen"]["layout"] == "led_wall" and state["screen"]["name"]
    assert state["timeline"] and state["timeline"][0]["items"]
    first = state["timeline"][0]["items"][0]["id"]
    assert state["items"][first]["html"].startswith("<section")


def test_state_on_change_reaches_the_group_with_the_alert(demo_app, screen_token, api_headers):
    client = connect(demo_app, screen_token)
    [before] = states(client)
    http = demo_app.test_client()
    r = http.post("/api/v1/alerts", json={"text": "大厅临时停电，请稍候", "level": "critical",
                                           "expires_in": 600}, headers=api_headers)
    assert r.status_code == 201, r.get_json()
    [after] = states(client)
    assert after["version"] != before["version"]
    assert [a["text"] for a in after["alerts"]] == ["大厅临时停电，请稍候"]
    # cancelling sends another state without it
    http.delete(f"/api/v1/alerts/{r.get_json()['id']}", headers=api_headers)
    [cancelled] = states(client)
    assert cancelled["alerts"] == []


def test_alert_for_another_group_does_not_disturb_this_screen(demo_app, screen_token, api_headers):
    client = connect(demo_app, screen_token)
    states(client)
    r = demo_app.test_client().post(
        "/api/v1/alerts", json={"text": "窗口系统升级", "groups": ["windows"]}, headers=api_headers
    )
    assert r.status_code == 201
    assert states(client) == []


def test_heartbeat_is_recorded(demo_app, screen_token):
    client = connect(demo_app, screen_token)
    [state] = states(client)
    showing = state["timeline"][0]["items"][0]["id"]
    ack = client.emit("heartbeat", {"version": state["version"], "showing": showing},
                      namespace="/display", callback=True)
    assert ack == {"ok": True}
    with demo_app.app_context():
        get_publisher(demo_app).presence.flush(db.session)
        screen = db.session.query(Screen).filter_by(token=screen_token).one()
        assert screen.last_version == state["version"]
        assert screen.showing == showing
        assert screen.online and screen.last_seen_at is not None
    client.disconnect(namespace="/display")
    with demo_app.app_context():
        get_publisher(demo_app).presence.flush(db.session)
        assert not db.session.query(Screen).filter_by(token=screen_token).one().online


def test_display_cannot_call_other_events(demo_app, screen_token):
    client = connect(demo_app, screen_token)
    states(client)
    for event, payload in (("state", {}), ("alert", {"text": "x"}), ("join", "group:kiosks:kiosk")):
        assert not client.emit(event, payload, namespace="/display", callback=True)
    with demo_app.app_context():
        assert db.session.query(User).count() == 0  # nothing was created
    assert client.is_connected("/display")
