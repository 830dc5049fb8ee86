"""The /display contract with a real python-socketio client against a real `kiosk serve`."""

from __future__ import annotations

import queue
import time

import pytest
import requests
import socketio

from .live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("live-socket")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def admin_headers(server):
    return {"Authorization": f"Bearer {server.api_token('socket-admin')}"}


def connect(server: LiveServer, token: str | None):
    """A websocket-only client, as screens use; returns (client, states queue, error)."""
    client = socketio.Client(reconnection=False)
    states: queue.Queue = queue.Queue()
    errors: list = []
    client.on("state", lambda data: states.put(data), namespace="/display")
    client.on("connect_error", lambda data: errors.append(data), namespace="/display")
    try:
        client.connect(server.url, namespaces=["/display"], transports=["websocket"],
                       auth={"token": token} if token else None, wait_timeout=10)
    except socketio.exceptions.ConnectionError as exc:
        return client, states, errors or [str(exc)]
    return client, states, errors


def test_refused_tokens_get_a_reason(server):
    screen = next(s for s in server.screens() if s["kind"] == "window")
    for token, code in ((None, "token_missing"), ("nope", "token_unknown")):
        client, _, errors = connect(server, token)
        assert not client.connected
        assert errors and errors[0]["data"]["code"] == code, errors
        assert errors[0]["message"]
    server.kiosk("screens", "add", "--name", "被撤销的屏", "--group", "lobby", "--kind", "led_wall")
    revoked = next(s for s in server.screens() if s["name"] == "被撤销的屏")
    import sqlite3

    with sqlite3.connect(server.data_dir / "kiosk.db") as conn:
        conn.execute("UPDATE screen SET revoked_at = '2026-01-01 00:00:00' WHERE id = ?", (revoked["id"],))
    client, _, errors = connect(server, revoked["token"])
    assert not client.connected and errors[0]["data"]["code"] == "token_revoked"
    assert screen  # a valid one still works
    ok, states, _ = connect(server, screen["token"])
    assert ok.connected
    ok.disconnect()


def test_state_on_connect_then_on_change_then_heartbeat(server, admin_headers):
    screen = next(s for s in server.screens() if s["kind"] == "led_strip")
    client, states, errors = connect(server, screen["token"])
    assert client.connected, errors
    first = states.get(timeout=10)
    assert first["screen"]["id"] == screen["id"] and first["layout"]["name"] == "led_strip"
    assert first["timeline"] and first["items"]

    r = requests.post(server.url + "/api/v1/alerts", headers=admin_headers, timeout=10,
                      json={"text": "A区窗口系统升级，请到B区办理", "groups": ["windows"], "level": "info"})
    assert r.status_code == 201
    changed = states.get(timeout=5)
    assert changed["version"] != first["version"]
    assert [a["text"] for a in changed["alerts"]] == ["A区窗口系统升级，请到B区办理"]

    showing = changed["timeline"][0]["items"][0]["id"]
    ack = client.call("heartbeat", {"version": changed["version"], "showing": showing},
                      namespace="/display", timeout=5)
    assert ack == {"ok": True}
    deadline = time.monotonic() + 10
    row = None
    while time.monotonic() < deadline:
        listed = requests.get(server.url + "/api/v1/screens", headers=admin_headers, timeout=5).json()
        row = next(s for s in listed["screens"] if s["id"] == screen["id"])
        if row["version"] == changed["version"]:
            break
        time.sleep(0.3)
    assert row["version"] == changed["version"] and row["showing"] == showing and row["online"]
    client.disconnect()
