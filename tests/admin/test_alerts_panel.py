"""The emergency alert page: send through the form, the screen receives it, acknowledgement,
cancel, validation and roles."""

from __future__ import annotations

import pytest

from kiosk.extensions import db, socketio
from kiosk.models import Alert, AlertDelivery, AuditLog, Screen
from kiosk.services.publish import get_publisher

from .conftest import login, page_token, text_of


@pytest.fixture
def screen(demo_app):
    with demo_app.app_context():
        s = db.session.query(Screen).filter_by(kind="led_wall").order_by(Screen.id).first()
        return {"id": s.id, "token": s.token, "name": s.name, "group": s.group.name}


def signed_in(app, staff, role="admin"):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def connect(app, token):
    client = socketio.test_client(app, namespace="/display", auth={"token": token})
    assert client.is_connected("/display")
    return client


def states(client):
    return [m["args"][0] for m in client.get_received("/display") if m["name"] == "state"]


def send(client, **data):
    form = {"csrf_token": page_token(client, "/admin/alerts"), "text": "大厅临时停电，请有序离场",
            "level": "critical", "action": "send", **data}
    return client.post("/admin/alerts", data=form)


def test_send_reaches_the_screen_and_is_acknowledged(demo_app, demo_staff, screen):
    display = connect(demo_app, screen["token"])
    states(display)  # the on-connect state
    admin = signed_in(demo_app, demo_staff)
    r = send(admin, groups=[screen["group"]], expires="30")
    assert r.status_code == 302
    [state] = states(display)
    [alert] = state["alerts"]
    assert alert["text"] == "大厅临时停电，请有序离场" and alert["level"] == "critical"
    with demo_app.app_context():
        row = db.session.query(Alert).one()
        assert row.groups == [screen["group"]] and row.expires_at is not None
        assert db.session.query(AuditLog).filter_by(object_type="alert", action="create").count() == 1
        delivery = db.session.query(AlertDelivery).filter_by(alert_id=row.id, group=screen["group"],
                                                            layout="led_wall").one()
        assert delivery.version == state["version"]
    page = admin.get("/admin/alerts")
    assert f'data-screen="{screen["name"]}" data-ack="no"' in page.text
    # a heartbeat with an old version does not count, the right one does
    display.emit("heartbeat", {"version": "0" * 16}, namespace="/display", callback=True)
    assert f'data-screen="{screen["name"]}" data-ack="no"' in admin.get("/admin/alerts").text
    display.emit("heartbeat", {"version": state["version"]}, namespace="/display", callback=True)
    page = admin.get("/admin/alerts")
    assert f'data-screen="{screen["name"]}" data-ack="yes"' in page.text
    # also once the heartbeat reached the database (presence flushed)
    with demo_app.app_context():
        get_publisher(demo_app).presence.flush(db.session)
        assert db.session.get(Screen, screen["id"]).last_version == state["version"]
    assert f'data-screen="{screen["name"]}" data-ack="yes"' in admin.get("/admin/alerts").text
    display.disconnect(namespace="/display")


def test_cancel_removes_it_from_screens(demo_app, demo_staff, screen):
    admin = signed_in(demo_app, demo_staff, "reviewer")
    assert send(admin, level="warning").status_code == 302
    display = connect(demo_app, screen["token"])
    [state] = states(display)
    assert len(state["alerts"]) == 1
    alert_id = state["alerts"][0]["id"]
    r = admin.post(f"/admin/alerts/{alert_id}/cancel", data={"csrf_token": page_token(admin, "/admin/alerts")})
    assert r.status_code == 302
    [state] = states(display)
    assert state["alerts"] == []
    with demo_app.app_context():
        assert db.session.get(Alert, alert_id).cancelled_at is not None
        assert db.session.query(AuditLog).filter_by(object_type="alert", action="cancel").count() == 1
    assert "目前没有正在显示的通知" in text_of(admin.get("/admin/alerts"))
    display.disconnect(namespace="/display")


def test_validation_messages_next_to_fields_and_nothing_stored(demo_app, demo_staff):
    admin = signed_in(demo_app, demo_staff)
    r = send(admin, text="   ", level="loud", groups=["no-such-group"], expires="0")
    assert r.status_code == 400
    page = r.text
    assert 'id="text-error"' in page and "请填写通知内容" in page
    assert 'id="level-error"' in page
    assert 'id="groups-error"' in page and "分组不存在" in page
    assert 'id="expires-error"' in page
    with demo_app.app_context():
        assert db.session.query(Alert).count() == 0


def test_preview_renders_the_screen_markup_without_sending(demo_app, demo_staff):
    admin = signed_in(demo_app, demo_staff)
    r = send(admin, text="<b>午休</b>暂停办理", level="warning", action="preview")
    assert r.status_code == 200 and 'data-testid="alert-preview-frame"' in r.text
    with demo_app.app_context():
        assert db.session.query(Alert).count() == 0
    frame = admin.get("/admin/alerts/frame", query_string={"text": "<b>午休</b>暂停办理", "level": "warning"})
    assert frame.status_code == 200
    assert 'class="alert alert-banner alert-warning"' in frame.text
    assert "&lt;b&gt;午休" in frame.text and "<b>" not in frame.text
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    critical = admin.get("/admin/alerts/frame", query_string={"text": "x", "level": "critical"})
    assert 'class="alert alert-critical"' in critical.text and "紧急通知" in critical.text


def test_editor_and_viewer_may_look_but_not_send(demo_app, demo_staff):
    admin = signed_in(demo_app, demo_staff)
    send(admin, text="今日系统维护")
    for role in ("editor", "viewer"):
        client = signed_in(demo_app, demo_staff, role)
        page = client.get("/admin/alerts")
        assert page.status_code == 200 and "今日系统维护" in page.text
        assert 'data-testid="alert-form"' not in page.text
        assert 'data-testid="alert-cancel"' not in page.text
        assert send(client).status_code == 403
    with demo_app.app_context():
        assert db.session.query(Alert).count() == 1
