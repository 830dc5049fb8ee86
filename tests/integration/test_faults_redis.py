"""Redis down in queue mode (issue 10, §6): a real ``kiosk serve`` with
``KIOSK_MESSAGE_QUEUE_URL`` at a ``redis-server`` of this test's own (a free port, no
persistence), killed and started again — the shared Redis is never touched.

While Redis is gone the server's own screens still get every state (an alert posted to this
process reaches its screen), ``/readyz`` is 503 naming the queue, and the log has one line
with the cause instead of two per emit. When Redis is back ``/readyz`` is 200, one line says
so, every room is republished, and messages flow both ways again: this process's publishes
reach Redis, and a message another process publishes reaches this process's screen.
Runs when ``KIOSK_TEST_REDIS_URL`` is set (tests/integration/conftest.py).
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import time
from collections.abc import Callable

import pytest
import redis
import requests
import socketio

from kiosk.realtime.queue import CHANNEL

from ..live import LiveServer, free_port
from ..waiting import wait_until

pytestmark = pytest.mark.integration


class PrivateRedis:
    """A ``redis-server`` on a free port that the test may kill and start again."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the queue fault tests (KIOSK_TEST_REDIS_URL is set)"
        self.binary, self.port = binary, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_until(answers, "the private redis-server to answer")
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # as a crash: no goodbye to the clients
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def private_redis(redis_url):  # redis_url: runs only when KIOSK_TEST_REDIS_URL is set
    server = PrivateRedis().start()
    yield server
    server.kill()


def states_of(client: socketio.Client) -> queue.Queue:
    states: queue.Queue = queue.Queue()
    client.on("state", states.put, namespace="/display")
    return states


def next_state(states: queue.Queue, matches: Callable[[dict], bool], what: str, timeout: float = 30.0) -> dict:
    """The first state received that ``matches`` (earlier ones, e.g. a republish, are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no state with {what}")
        try:
            state = states.get(timeout=left)
        except queue.Empty:
            raise AssertionError(f"no state with {what}") from None
        if matches(state):
            return state


def alert_texts(state: dict) -> list[str]:
    return [a["text"] for a in state.get("alerts") or []]


def readyz(server: LiveServer) -> requests.Response:
    return requests.get(server.url + "/readyz", timeout=10)


@pytest.mark.reliability("Redis down in queue mode", "kiosk serve with its queue at a private redis-server that is killed "
                         "(SIGKILL) and started again; alerts posted meanwhile and after",
                         "local screen gets every alert; /readyz 503 then 200; one log line down, one back; "
                         "republish, and messages flow both ways after recovery")
def test_local_screens_work_while_redis_is_down_and_messages_flow_when_it_is_back(private_redis, tmp_path):
    server = LiveServer(tmp_path / "live", env={"KIOSK_MESSAGE_QUEUE_URL": private_redis.url}).start()
    client = socketio.Client(reconnection=False)
    try:
        headers = {"Authorization": f"Bearer {server.api_token('queue-admin')}"}
        kiosk = next(s for s in server.screens() if s["kind"] == "kiosk")
        room = f"group:{kiosk['group']}:{kiosk['layout']}"
        states = states_of(client)
        client.connect(server.url, namespaces=["/display"], transports=["websocket"],
                       auth={"token": kiosk["token"]}, wait_timeout=10)
        next_state(states, lambda s: True, "the state on connect")

        def alert(text: str) -> None:
            r = requests.post(server.url + "/api/v1/alerts", headers=headers, timeout=30,
                              json={"text": text, "groups": [kiosk["group"]]})
            assert r.status_code == 201, r.text

        private_redis.kill()

        def unready() -> dict | None:
            r = readyz(server)
            return r.json() if r.status_code == 503 else None

        body = wait_until(unready, "/readyz to say 503")
        assert body["queue"].startswith("unavailable: ") and body["database"] == "ok"
        for text in ("Redis 中断期间的告警一", "Redis 中断期间的告警二"):
            alert(text)
            next_state(states, lambda s, t=text: t in alert_texts(s), f"alert {text!r} on the local screen")
        assert requests.get(server.url + "/api/v1/guides?q=sfz", timeout=10).status_code == 200  # limits fall back

        private_redis.start()
        wait_until(lambda: readyz(server).status_code == 200, "/readyz to say 200 again")
        wait_until(lambda: "message queue back" in server.log.read_text(errors="replace"), "the recovery line")
        # every room republished (forced: the screens of other processes missed the alerts)
        republished = next_state(states, lambda s: True, "the republish after recovery")
        assert set(alert_texts(republished)) == {"Redis 中断期间的告警一", "Redis 中断期间的告警二"}

        # this process publishes through Redis again: another process would see the alert
        watcher = redis.Redis.from_url(private_redis.url).pubsub()
        watcher.subscribe(CHANNEL)
        wait_until(lambda: (m := watcher.get_message(timeout=0.5)) and m["type"] == "subscribe", "the subscription")
        alert("Redis 恢复后的告警")
        next_state(states, lambda s: "Redis 恢复后的告警" in alert_texts(s), "the alert after recovery")

        def alert_on_channel() -> bool:
            message = watcher.get_message(timeout=0.5)
            return bool(message) and message["type"] == "message" and "Redis 恢复后的告警" in message["data"].decode()

        wait_until(alert_on_channel, "the alert on the Redis channel")
        watcher.close()

        # and a message another process publishes reaches this process's screen
        other = socketio.RedisManager(private_redis.url, channel=CHANNEL, write_only=True)
        probe = {"probe": "from another process"}
        other.emit("state", probe, room=room, namespace="/display")
        next_state(states, lambda s: s == probe, "the other process's message")
    finally:
        client.disconnect()
        server.stop()
    log = server.log.read_text(errors="replace")
    assert log.count("message queue unavailable") == 1, log[-3000:]
    assert log.count("message queue back") == 1, log[-3000:]
    assert "Cannot publish to redis" not in log and "Cannot receive from redis" not in log
    assert "Traceback" not in log, log[-3000:]
