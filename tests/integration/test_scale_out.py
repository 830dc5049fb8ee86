"""Two `kiosk serve` processes on PostgreSQL with the Redis message queue: an alert posted to
one process reaches a screen connected to the other (the documented scale-out path)."""

from __future__ import annotations

import queue

import pytest
import requests
import socketio

from ..live import LiveServer

pytestmark = pytest.mark.integration


def test_alert_posted_on_one_process_reaches_a_screen_on_the_other(pg_url, redis_url, tmp_path):
    env = {"KIOSK_DATABASE_URL": pg_url, "KIOSK_MESSAGE_QUEUE_URL": redis_url}
    a = LiveServer(tmp_path / "a", env=env).start()  # imports the demo into PostgreSQL
    b = LiveServer(tmp_path / "b", env={**env, "KIOSK_SCHEDULER": "0"}).start()
    client = socketio.Client(reconnection=False)
    try:
        screen = next(s for s in a.screens() if s["kind"] == "kiosk")
        token = b.api_token("it-admin")
        states: queue.Queue = queue.Queue()
        client.on("state", states.put, namespace="/display")
        client.connect(a.url, namespaces=["/display"], transports=["websocket"],
                       auth={"token": screen["token"]}, wait_timeout=10)
        states.get(timeout=10)
        r = requests.post(b.url + "/api/v1/alerts", headers={"Authorization": f"Bearer {token}"},
                          json={"text": "跨进程告警测试", "groups": ["kiosks"]}, timeout=10)
        assert r.status_code == 201
        got = states.get(timeout=10)
        assert [x["text"] for x in got["alerts"]] == ["跨进程告警测试"]
    finally:
        client.disconnect()
        b.stop()
        a.stop()
