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
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import select

from ..extensions import db
from ..models import AuditLog, Screen, ScreenGroup, utcnow
from .presence import Presence
from .schedule import ScheduleRows, next_boundary
from .state import alerts_json, assemble, build_body, content_version, for_screen, load_rows

log = logging.getLogger(__name__)
NAMESPACE = "/display"
STAFF_NAMESPACE, STAFF_ROOM = "/staff", "staff"  # the staff panel's live screens list
CACHE_SECONDS = 30.0  # bounds staleness of on-connect states computed by another process
BODY_SECONDS = 300.0  # rendered slides: also picks up writes nobody audited (citizens' ratings)
# audited writes of these kinds never change what a screen shows (alerts are overlays)
NOT_CONTENT = ("alert", "user", "api_token", "screen", "demand", "audit_log")
_UNSEEN = object()


@dataclass(frozen=True)
class _Body:
    state: dict[str, Any]
    version: str
    stamp: int | None  # content_stamp() when it was built
    built: float  # time.monotonic()
    until: datetime | None  # the next boundary without alerts
    at: datetime  # the wall time it was built for: not reused before it (the clock went back)


def content_stamp(session) -> int | None:
    """The newest audited content write: a cheap change counter every process shares
    (every write is audited, in the same transaction)."""
    # ORDER BY id DESC LIMIT 1, not MAX(id) WHERE …: both engines then walk the primary key
    # backwards and stop at the first content row instead of scanning the whole log.
    return session.scalar(
        select(AuditLog.id).where(AuditLog.object_type.not_in(NOT_CONTENT)).order_by(AuditLog.id.desc()).limit(1)
    )


def room_for(group: str, layout: str) -> str:
    return f"group:{group}:{layout}"


class Publisher:
    def __init__(self, app: Flask, socketio: SocketIO):
        self.app, self.socketio = app, socketio
        self.presence = Presence()
        self._lock = threading.RLock()
        # (time.monotonic(), wall time built for, next boundary, state)
        self._cache: dict[tuple[str, str], tuple[float, datetime, datetime | None, dict[str, Any]]] = {}
        self._bodies: dict[tuple[str, str], _Body] = {}
        self._sent: dict[tuple[str, str], str] = {}
        self.on_reschedule = None  # set by the scheduler: callable(next_run: datetime | None)
        self._rows_after_publish: ScheduleRows | None = None  # spares reschedule a reload
        self._watched: object = _UNSEEN  # content_stamp() at the last watch()

    # -- states ---------------------------------------------------------------------------
    def state_for(self, group: str, layout: str, now: datetime | None = None,
                  rows: ScheduleRows | None = None) -> dict[str, Any]:
        """The current shared state of (group, layout), cached until the next boundary (and
        never for a wall time before the one it was built for: the clock may have gone back)."""
        now = now or utcnow()
        key = (group, layout)
        with self._lock:
            hit = self._cache.get(key)
            if (hit and time.monotonic() - hit[0] < CACHE_SECONDS and hit[1] <= now
                    and (hit[2] is None or now < hit[2])):
                return hit[3]
            rows = rows or self._load_rows()
            body = self._body(key, now, rows)
            state = assemble(body.state, body.version, alerts_json(rows, group, now), now)
            self._cache[key] = (time.monotonic(), now, next_boundary(rows, now), state)
            return state

    def _body(self, key: tuple[str, str], now: datetime, rows: ScheduleRows) -> _Body:
        """The rendered part of a state, reused while nothing but alerts changed.

        Valid until the next schedule/notice boundary, while no content write was audited
        (which also catches writes made by another process) and for at most BODY_SECONDS.
        """
        stamp = content_stamp(db.session)
        hit = self._bodies.get(key)
        if (hit and hit.stamp == stamp and time.monotonic() - hit.built < BODY_SECONDS
                and hit.at <= now and (hit.until is None or now < hit.until)):
            return hit
        state = build_body(self.app, db.session, key[0], key[1], now, rows)
        body = _Body(state, content_version(state), stamp, time.monotonic(),
                     next_boundary(replace(rows, alerts=()), now), now)
        self._bodies[key] = body
        return body

    def _load_rows(self) -> ScheduleRows:
        return load_rows(db.session, self.app.config["TIMEZONE"])

    def invalidate(self, *, content: bool = True) -> None:
        """Forget cached states; with ``content=False`` (alerts only) keep the rendered bodies."""
        with self._lock:
            self._cache.clear()
            if content:
                self._bodies.clear()

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

    def publish(self, groups: Iterable[str] | None = None, *, force: bool = False,
                content: bool = True) -> int:
        """Recompute and emit to every affected room; returns how many rooms got a state."""
        self.invalidate(content=content)
        sent = 0
        now = utcnow()
        rows = self._load_rows()
        for group, layout in self.targets(groups):
            state = self.state_for(group, layout, now, rows)
            key = (group, layout)
            if not force and self._sent.get(key) == state["version"]:
                continue
            self._sent[key] = state["version"]
            self.socketio.emit("state", state, to=room_for(group, layout), namespace=NAMESPACE)
            sent += 1
        log.info("published %d room(s)", sent)
        self._rows_after_publish = rows
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

    def alerts_changed(self, groups: Iterable[str] | None = None) -> int:
        """Only alerts changed: the rendered slides are reused, so the emit starts within
        milliseconds of the request (every screen waits for it; see docs/benchmarks.md)."""
        sent = self.publish(groups, content=False)
        self.socketio.sleep(0)  # let the queued frames go out before re-arming the scheduler
        self.reschedule()
        return sent

    def tick(self) -> int:
        """The next-boundary job: the present is recomputed, nothing is replayed. Rendered
        bodies renew themselves (boundary, content stamp, age), so they are not dropped here."""
        sent = self.publish(content=False)
        self.reschedule()
        return sent

    def clock_jumped(self) -> int:
        """The wall clock jumped (services/clock.py): what was cached was computed for the old
        time, and screens keep the offset to the server's clock they learnt from the last
        state's ``server_time``, so every room gets its state again even where the version
        did not move; then the next boundary is re-armed for the new time."""
        sent = self.publish(force=True)
        self.reschedule()
        return sent

    def watch(self) -> int:
        """The content-watch job: republish when a content write was audited since the last
        look — made by another process (``kiosk import`` beside a running server, the panel
        of another web process), which this process's publisher never heard of. One cheap
        query when nothing changed; a change made here is simply republished once more
        (same versions: nothing is emitted)."""
        stamp = content_stamp(db.session)
        last, self._watched = self._watched, stamp
        if last is _UNSEEN or stamp == last:
            return 0
        log.info("content changed elsewhere (audit #%s): republishing", stamp)
        return self.tick()

    def reschedule(self) -> datetime | None:
        rows = self._rows_after_publish or self._load_rows()
        self._rows_after_publish = None
        nxt = next_boundary(rows, utcnow())
        if self.on_reschedule is not None:
            self.on_reschedule(nxt)
        return nxt


def get_publisher(app: Flask) -> Publisher:
    return app.extensions["kiosk.publisher"]
