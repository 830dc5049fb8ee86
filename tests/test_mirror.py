"""Mirror connections (the staff panel's live preview, ``/screen/<token>?mirror=1``).

A mirror gets the screen's states but is not the screen: while staff watch, a dead device
must stay offline and keep the version and item it last reported itself.
"""

from __future__ import annotations

import json
import re

import pytest

from kiosk.extensions import db, socketio
from kiosk.models import Screen, utcnow
from kiosk.services.alerts import create_alert
from kiosk.services.publish import get_publisher

from .admin.conftest import login, make_user


@pytest.fixture
def wall(demo_app):
    """The first LED wall of the demo: (id, token)."""
    with demo_app.app_context():
        screen = db.session.query(Screen).filter_by(kind="led_wall").order_by(Screen.id).first()
        return screen.id, screen.token


def display(app, token, *, mirror=False):
    auth = {"token": token, "mirror": True} if mirror else {"token": token}
    return socketio.test_client(app, namespace="/display", auth=auth)


def received(client, namespace, name):
    return [m["args"][0] for m in client.get_received(namespace) if m["name"] == name]


def recorded(app, screen_id):
    """What the database says about the screen after the presence batch is written."""
    with app.app_context():
        publisher = get_publisher(app)
        publisher.presence.flush(db.session)
        s = db.session.get(Screen, screen_id)
        return {"online": s.online, "version": s.last_version, "showing": s.showing,
                "seen": s.last_seen_at, "connected": publisher.presence.is_connected(screen_id)}


def test_a_mirror_plays_the_state_but_never_counts_as_the_screen(demo_app, wall):
    screen_id, token = wall
    make_user(demo_app, "watcher", "admin")
    panel = demo_app.test_client()
    login(panel, "watcher")
    staff = socketio.test_client(demo_app, namespace="/staff", flask_test_client=panel)
    assert staff.is_connected("/staff")
    staff.get_received("/staff")
    before = recorded(demo_app, screen_id)
    assert not before["online"] and before["version"] is None  # the device never connected

    mirror = display(demo_app, token, mirror=True)
    assert mirror.is_connected("/display")
    [state] = received(mirror, "/display", "state")
    assert state["screen"]["id"] == screen_id and state["timeline"][0]["items"]
    showing = state["timeline"][0]["items"][0]["id"]
    ack = mirror.emit("heartbeat", {"version": state["version"], "showing": showing},
                      namespace="/display", callback=True)
    assert not ack  # ignored, not acknowledged as the screen's report
    assert recorded(demo_app, screen_id) == before  # still offline, nothing reported
    assert received(staff, "/staff", "screen") == []  # the panel was told nothing

    # the mirror is in the screen's rooms: a change reaches it like the screen
    with demo_app.app_context():
        create_alert(db.session, get_publisher(demo_app), text="演练：请勿惊慌", level="info",
                     groups=[], expires_in=300, actor="test", user_id=None)
    [changed] = received(mirror, "/display", "state")
    assert [a["text"] for a in changed["alerts"]] == ["演练：请勿惊慌"]
    mirror.disconnect(namespace="/display")
    assert recorded(demo_app, screen_id) == before
    assert received(staff, "/staff", "screen") == []


def test_a_watched_screen_keeps_its_own_report_and_goes_offline(demo_app, wall):
    screen_id, token = wall
    device = display(demo_app, token)
    [state] = received(device, "/display", "state")
    items = [i["id"] for i in state["timeline"][0]["items"]]
    assert device.emit("heartbeat", {"version": state["version"], "showing": items[0]},
                       namespace="/display", callback=True) == {"ok": True}
    mirror = display(demo_app, token, mirror=True)
    received(mirror, "/display", "state")
    mirror.emit("heartbeat", {"version": "0000mirror0000", "showing": items[-1]}, namespace="/display")
    seen = recorded(demo_app, screen_id)
    assert seen["online"] and seen["version"] == state["version"] and seen["showing"] == items[0]

    device.disconnect(namespace="/display")  # the device dies while staff keep watching
    gone = recorded(demo_app, screen_id)
    assert not gone["online"] and not gone["connected"]
    assert gone["version"] == state["version"] and gone["showing"] == items[0]
    assert mirror.is_connected("/display")
    mirror.emit("heartbeat", {"version": "0000mirror0000", "showing": items[-1]}, namespace="/display")
    assert recorded(demo_app, screen_id) == gone
    with demo_app.app_context():
        assert db.session.get(Screen, screen_id).last_seen_at <= utcnow()


def test_a_mirror_needs_a_valid_token_like_any_display(demo_app, wall):
    assert not display(demo_app, "not-a-token", mirror=True).is_connected("/display")
    screen_id, token = wall
    with demo_app.app_context():
        db.session.get(Screen, screen_id).revoked_at = utcnow()
        db.session.commit()
    assert not display(demo_app, token, mirror=True).is_connected("/display")


def page_config(app, url):
    html = app.test_client().get(url).text
    return json.loads(re.search(r'id="screen-config">(.*?)</script>', html, re.S).group(1))


def test_only_the_mirror_page_skips_storage_heartbeats_and_the_worker(demo_app, wall):
    _, token = wall
    mirror = page_config(demo_app, f"/screen/{token}?mirror=1")
    assert mirror["mirror"] is True and mirror["service_worker"] is None
    plain = page_config(demo_app, f"/screen/{token}")
    assert plain["mirror"] is False and plain["service_worker"] == "/screen/sw.js"
    assert page_config(demo_app, f"/screen/{token}?mirror=0")["mirror"] is False
