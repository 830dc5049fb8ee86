"""The ``/staff`` namespace: signed-in staff watch screens come and go, live.

Only server → browser events (``screen``: id, online, last seen, version, item showing).
The connect handler checks the Flask-Login session shared with the panel (same cookie) and
its idle time; anyone else is refused. Every event a browser sends is dropped.
Emitting goes through :meth:`Publisher.notify_staff` (the publisher is the one emitter).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app, request, session
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from ..services import accounts
from ..services.publish import STAFF_ROOM, get_publisher

log = logging.getLogger(__name__)
_watchers = 0  # staff sockets held by this process: no work on heartbeats when nobody looks
_lock = threading.Lock()
_names: dict[str, str] = {}  # item ref -> readable title (small, bounded)


REAP_SECONDS = 15.0  # how often idle staff sockets are looked for


class StaffNamespace(Namespace):
    def __init__(self, namespace: str = "/staff"):
        super().__init__(namespace)
        self.sids: set[str] = set()
        # sid -> when its panel session goes idle (epoch s). The socket only sees the cookie
        # of its handshake, so it cannot tell whether the person clicked since; it is closed
        # then, and the page reloads: the panel decides (fresh cookie: go on; idle: login).
        self.deadlines: dict[str, float] = {}
        self._reaper_started = False

    def trigger_event(self, event: str, *args):
        if event not in ("connect", "disconnect"):
            log.warning("staff socket sent %r: dropped", event)
            return None
        return super().trigger_event(event, *args)

    def on_connect(self, auth: Any = None):
        global _watchers
        if not current_user.is_authenticated:
            raise ConnectionRefusedError("请先登录 (sign in first)", {"code": "login_required"})
        seen = session.get("admin_seen")
        idle = current_app.config["ADMIN_IDLE_MINUTES"] * 60
        if not isinstance(seen, int | float) or accounts.current_time().timestamp() - seen > idle:
            raise ConnectionRefusedError("登录已过期 (session idle)", {"code": "login_expired"})
        join_room(STAFF_ROOM)
        with _lock:
            self.sids.add(request.sid)
            self.deadlines[request.sid] = seen + idle
            _watchers = len(self.sids)
            start = not self._reaper_started
            self._reaper_started = True
        if start:
            self.socketio.start_background_task(self._reap_forever)
        return True

    def reap_idle(self, now: float | None = None) -> list[str]:
        """Close the staff sockets whose panel session has been idle too long."""
        now = accounts.current_time().timestamp() if now is None else now
        with _lock:
            due = [sid for sid, deadline in self.deadlines.items() if deadline < now]
        for sid in due:
            log.info("staff socket %s: session idle, closing", sid)
            self.disconnect(sid, namespace=self.namespace)
            with _lock:
                self.deadlines.pop(sid, None)
        return due

    def _reap_forever(self) -> None:
        while True:
            self.socketio.sleep(REAP_SECONDS)
            try:
                self.reap_idle()
            except Exception:  # keep reaping; a failed close is retried next round
                log.exception("closing idle staff sockets failed")

    def on_disconnect(self, reason: Any = None):
        global _watchers
        with _lock:
            self.sids.discard(request.sid)
            self.deadlines.pop(request.sid, None)
            _watchers = len(self.sids)


def readable(ref: str | None) -> str:
    """``guide:CODE#2`` → "guide name（2）" (as on the dashboard), cached."""
    if not ref:
        return ""
    if ref in _names:
        return _names[ref]
    from ..admin.views import readable_items  # lazy: the panel imports much

    base, _, part = ref.partition("#")
    name = readable_items({ref}).get(base, base)
    text = f"{name}（{part}）" if part else name
    if len(_names) > 2000:
        _names.clear()
    _names[ref] = text
    return text


def screen_seen(screen_id: int, *, online: bool | None = None, version: str | None = None,
                showing: str | None = None) -> None:
    """Called by the /display namespace on connect, disconnect and heartbeat."""
    if _watchers <= 0:
        return
    try:
        payload: dict[str, Any] = {"id": screen_id, "last_seen_at": accounts.current_time().isoformat()}
        if online is not None:
            payload["online"] = online
        if version is not None:
            payload["version"] = version[:64]
        if showing is not None:
            payload["showing"] = showing[:200]
            payload["showing_title"] = readable(showing[:200])
        get_publisher(current_app).notify_staff("screen", payload)
    except Exception:  # the dashboard must never break a screen's socket
        log.exception("staff notification failed")
