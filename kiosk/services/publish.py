"""The publisher: the ONE place that emits to screens.

Views, jobs and importers change data, then call :meth:`Publisher.changed`. The publisher
computes each (group, layout) state once, sends it to that room only if its version moved,
and re-arms the scheduler for the next boundary. With ``KIOSK_MESSAGE_QUEUE_URL`` set the
same ``socketio.emit`` goes through Redis and reaches screens held by any process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import select

from ..extensions import db
from ..models import Screen, ScreenGroup, utcnow
from .presence import Presence
from .schedule import next_boundary
from .state import build_state, for_screen, load_rows

log = logging.getLogger(__name__)
NAMESPACE = "/display"
STAFF_NAMESPACE, STAFF_ROOM = "/staff", "staff"  # the staff panel's live screens list
CACHE_SECONDS = 30.0  # bounds staleness of on-connect states computed by another process


def room_for(group: str, layout: str) -> str:
    return f"group:{group}:{layout}"


class Publisher:
    def __init__(self, app: Flask, socketio: SocketIO):
        self.app, self.socketio = app, socketio
        self.presence = Presence()
        self._lock = threading.RLock()
        self._cache: dict[tuple[str, str], tuple[float, datetime | None, dict[str, Any]]] = {}
        self._sent: dict[tuple[str, str], str] = {}
        self.on_reschedule = None  # set by the scheduler: callable(next_run: datetime | None)

    # -- states ---------------------------------------------------------------------------
    def state_for(self, group: str, layout: str, now: datetime | None = None) -> dict[str, Any]:
        """The current shared state of (group, layout), cached until the next boundary."""
        now = now or utcnow()
        key = (group, layout)
        with self._lock:
            hit = self._cache.get(key)
            if hit and time.monotonic() - hit[0] < CACHE_SECONDS and (hit[1] is None or now < hit[1]):
                return hit[2]
            rows = load_rows(db.session, self.app.config["TIMEZONE"])
            state = build_state(self.app, db.session, group, layout, now, rows)
            self._cache[key] = (time.monotonic(), next_boundary(rows, now), state)
            return state

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    # -- emitting -------------------------------------------------------------------------
    def targets(self, groups: Iterable[str] | None = None) -> list[tuple[str, str]]:
        stmt = (
            select(ScreenGroup.name, Screen.layout)
            .join(Screen, Screen.group_id == ScreenGroup.id)
            .where(Screen.revoked_at.is_(None))
            .distinct()
        )
        if groups is not None:
            stmt = stmt.where(ScreenGroup.name.in_(list(groups)))
        return sorted((group, layout) for group, layout in db.session.execute(stmt))

    def publish(self, groups: Iterable[str] | None = None, *, force: bool = False) -> int:
        """Recompute and emit to every affected room; returns how many rooms got a state."""
        self.invalidate()
        sent = 0
        now = utcnow()
        for group, layout in self.targets(groups):
            state = self.state_for(group, layout, now)
            key = (group, layout)
            if not force and self._sent.get(key) == state["version"]:
                continue
            self._sent[key] = state["version"]
            self.socketio.emit("state", state, to=room_for(group, layout), namespace=NAMESPACE)
            sent += 1
        log.info("published %d room(s)", sent)
        return sent

    def send_state_to_sid(self, sid: str, screen: Screen) -> None:
        """A freshly connected screen gets its own copy (with its id and name) at once."""
        state = self.state_for(screen.group.name, screen.layout)
        self.socketio.emit("state", for_screen(state, screen), to=sid, namespace=NAMESPACE)

    def send_to_screen(self, screen: Screen, event: str, payload: Any) -> None:
        self.socketio.emit(event, payload, to=f"screen:{screen.id}", namespace=NAMESPACE)

    def disconnect_screen(self, screen_id: int) -> int:
        """Drop the sockets of a revoked screen now (those held by this process); its
        reconnect is then refused. Returns how many were dropped."""
        server = self.socketio.server
        sids = [sid for sid, _ in server.manager.get_participants(NAMESPACE, f"screen:{screen_id}")]
        for sid in sids:
            server.disconnect(sid, namespace=NAMESPACE)
        return len(sids)

    def notify_staff(self, event: str, payload: Any) -> None:
        """Live news for the staff panel (kiosk/realtime/staff.py), to signed-in staff only."""
        self.socketio.emit(event, payload, to=STAFF_ROOM, namespace=STAFF_NAMESPACE)

    def changed(self, groups: Iterable[str] | None = None) -> int:
        """Data changed: republish what it affects and re-arm the next-boundary job."""
        sent = self.publish(groups)
        self.reschedule()
        return sent

    def tick(self) -> int:
        """The next-boundary job: the present is recomputed, nothing is replayed."""
        sent = self.publish()
        self.reschedule()
        return sent

    def reschedule(self) -> datetime | None:
        rows = load_rows(db.session, self.app.config["TIMEZONE"])
        nxt = next_boundary(rows, utcnow())
        if self.on_reschedule is not None:
            self.on_reschedule(nxt)
        return nxt


def get_publisher(app: Flask) -> Publisher:
    return app.extensions["kiosk.publisher"]
