"""The Redis message queue (scale-out), made to survive Redis going away and coming back.

python-socketio's ``RedisManager`` already delivers an emit to this process's own screens
before it publishes to Redis, so local screens keep working while Redis is down. What it does
not do well (tried against a real ``redis-server`` that was killed and restarted, issue 10):

- it logs two ERROR lines per emit ("Cannot publish to redis... retrying / giving up",
  without the reason), twice each through the root logger and its own: with the staff
  dashboard open every heartbeat is an emit, a storm of lines that say nothing;
- each emit first tries to reach Redis again; for a host that does not answer (not refused,
  silent) that is a connect timeout per emit and per room, in front of the next room's
  local delivery — and with no timeout at all a hung Redis blocks the publisher
  (miguelgrinberg/Flask-SocketIO#1675);
- its listener backs off up to 60 s, so messages from other processes may stay away for a
  minute after Redis is back;
- whatever was published during the outage is lost for the screens of the *other*
  processes, and the publisher, which emits only when a room's version moved, would not
  send it again until the next change.

:class:`QueueManager` keeps the local delivery and changes the rest: one ERROR line when
the queue goes (with the cause) and one WARNING line when it is back (how long, how many
messages other processes missed); while it is down publishing is skipped except for one
attempt every :data:`PROBE_SECONDS`; connects time out after :data:`CONNECT_SECONDS` and
TCP keep-alive finds a silent Redis; the listener retries every ≤ :data:`RETRY_MAX_SECONDS`;
and when the listener is subscribed again ``on_recovered`` runs — the app republishes every
room's present state (``Publisher.publish(force=True)``), so every process's screens are
current again without replaying anything. ``/readyz`` says the same (kiosk/health.py).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

import socketio
from flask import Flask

log = logging.getLogger(__name__)
CHANNEL = "flask-socketio"  # Flask-SocketIO's default: every process must use the same
CONNECT_SECONDS = 2.0
PROBE_SECONDS = 2.0
RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS = 0.5, 2.0


def _keepalive_options() -> dict[int, int]:
    """Probe an idle connection after 5 s, every 2 s, give up after 3: a Redis that vanished
    without a reset (host down, cable) is noticed in ~11 s instead of hours."""
    wanted = {"TCP_KEEPIDLE": 5, "TCP_KEEPINTVL": 2, "TCP_KEEPCNT": 3}
    return {getattr(socket, name): value for name, value in wanted.items() if hasattr(socket, name)}


class QueueManager(socketio.RedisManager):
    """``RedisManager`` with one line per outage, a circuit breaker and a recovery hook."""

    def __init__(self, url: str, *, on_recovered: Callable[[], None] | None = None,
                 channel: str = CHANNEL, write_only: bool = False):
        super().__init__(url, channel=channel, write_only=write_only, redis_options={
            "socket_connect_timeout": CONNECT_SECONDS,
            "socket_keepalive": True,
            "socket_keepalive_options": _keepalive_options(),
        })
        self.on_recovered = on_recovered
        self._state = threading.Lock()
        self.down_since: float | None = None  # time.monotonic() of the first failure
        self.undelivered = 0  # messages other processes did not get during this outage
        self._publish_failed_at: float | None = None
        self._listening = write_only  # a write-only manager has no listener to wait for

    # -- state ------------------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self.down_since is None

    def _went_down(self, exc: BaseException) -> None:
        with self._state:
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        log.error("message queue unavailable (%s: %s): this process's screens still get every "
                  "state; screens held by other processes wait until it is back",
                  type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")

    def _maybe_back(self) -> None:
        with self._state:
            if self.down_since is None or not self._listening or self._publish_failed_at is not None:
                return
            seconds, missed = time.monotonic() - self.down_since, self.undelivered
            self.down_since, self.undelivered = None, 0
        log.warning("message queue back after %.0f s (%d message(s) did not reach other processes): "
                    "republishing every room", seconds, missed)
        if self.on_recovered is not None and self.server is not None:
            self.server.start_background_task(self._recovered)

    def _recovered(self) -> None:
        try:
            self.on_recovered()
        except Exception:
            log.exception("republishing after the message queue came back failed")

    # -- publishing -------------------------------------------------------------------------
    def _publish(self, data):
        failed_at = self._publish_failed_at
        if failed_at is not None and time.monotonic() - failed_at < PROBE_SECONDS:
            self.undelivered += 1  # skipped: local screens already have it (PubSubManager.emit)
            return None
        error: BaseException | None = None
        for _ in range(2):  # a pooled connection may be stale after a Redis restart
            try:
                if not self.connected:
                    self._redis_connect()
                result = self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as exc:
                self.connected, error = False, exc
                continue
            self._publish_failed_at = None
            self._maybe_back()
            return result
        self._publish_failed_at = time.monotonic()
        self.undelivered += 1
        self._went_down(error)
        return None

    # -- listening --------------------------------------------------------------------------
    def _redis_listen_with_retries(self):
        retry = RETRY_FIRST_SECONDS
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                    subscribed, retry = True, RETRY_FIRST_SECONDS
                    # subscribing proves Redis answers: publishing may resume at once
                    self._listening, self._publish_failed_at = True, None
                    self._maybe_back()
                yield from self.pubsub.listen()
            except Exception as exc:
                subscribed, self._listening = False, False
                self._went_down(exc)
                time.sleep(retry)  # gevent's sleep under `kiosk serve`
                retry = min(retry * 2, RETRY_MAX_SECONDS)


def republisher(app: Flask) -> Callable[[], None]:
    """What runs when the queue is back: every room's present state, forced, so the screens of
    every process are current (the publisher's "already sent" versions went nowhere)."""

    def republish() -> None:
        from ..extensions import db
        from ..services.publish import get_publisher

        with app.app_context():
            try:
                get_publisher(app).publish(force=True, content=False)
            finally:
                db.session.remove()

    return republish
