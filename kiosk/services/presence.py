"""Which screens are connected and what they show, written to the database in batches.

Two thousand screens beating every 15 s would be ~130 single-row transactions a second on
SQLite. Heartbeats land in memory instead (instantly visible in this process) and are flushed
in one transaction every couple of seconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..models import Screen, utcnow


@dataclass
class Seen:
    at: datetime
    version: str | None = None
    showing: str | None = None
    online: bool | None = None


class Presence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[int, Seen] = {}
        self._connections: dict[int, int] = {}

    def connected(self, screen_id: int) -> None:
        with self._lock:
            self._connections[screen_id] = self._connections.get(screen_id, 0) + 1
            self._merge(screen_id, Seen(at=utcnow(), online=True))

    def disconnected(self, screen_id: int) -> None:
        with self._lock:
            left = self._connections.get(screen_id, 1) - 1
            if left <= 0:
                self._connections.pop(screen_id, None)
                self._merge(screen_id, Seen(at=utcnow(), online=False))
            else:
                self._connections[screen_id] = left

    def heartbeat(self, screen_id: int, version: str | None, showing: str | None) -> None:
        with self._lock:
            self._merge(screen_id, Seen(at=utcnow(), version=version, showing=showing, online=True))

    def pending_version(self, screen_id: int) -> str | None:
        """The version a screen reported since the last flush (None when nothing is pending)."""
        with self._lock:
            seen = self._pending.get(screen_id)
            return seen.version if seen is not None else None

    def is_connected(self, screen_id: int) -> bool:
        return screen_id in self._connections

    def _merge(self, screen_id: int, seen: Seen) -> None:
        old = self._pending.get(screen_id)
        if old is not None:
            seen.version = seen.version if seen.version is not None else old.version
            seen.showing = seen.showing if seen.showing is not None else old.showing
            seen.online = seen.online if seen.online is not None else old.online
        self._pending[screen_id] = seen

    def flush(self, session: Session) -> int:
        """Write what was seen since the last flush, in one transaction. Returns the count."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return 0
        try:
            for screen_id, seen in pending.items():
                values: dict = {"last_seen_at": seen.at}
                if seen.version is not None:
                    values["last_version"] = seen.version[:64]
                if seen.showing is not None:
                    values["showing"] = seen.showing[:200]
                if seen.online is not None:
                    values["online"] = seen.online
                session.execute(update(Screen).where(Screen.id == screen_id).values(**values))
            session.commit()
        except Exception:
            session.rollback()
            with self._lock:  # keep them for the next try, newer news first
                for screen_id, seen in pending.items():
                    self._pending.setdefault(screen_id, seen)
            raise
        return len(pending)
