"""Demand: how often each guide and bundle was looked at in the last 30 days.

Kiosk views are the visits' ``guide_view`` / ``bundle_view`` events; phone views (the page a
kiosk's QR code opens, ``/g/<code>``) are counted in memory by each web process and written
as one row per guide, day and channel (:class:`PhoneViews`), so that a citizen opening a page
never costs a database write of its own and a flood of requests cannot grow a table row by row.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import GuideViewCount, VisitEvent

WINDOW_DAYS = 30
FLUSH_SECONDS = 30.0


def views_by_ref(session: Session, now: datetime, days: int = WINDOW_DAYS) -> dict[str, int]:
    """``{"guide:<code>": n, "bundle:<code>": n}`` over the last ``days`` days, all channels."""
    since = now - timedelta(days=days)
    counts: Counter[str] = Counter()
    for kind, ref, n in session.execute(
            select(VisitEvent.kind, VisitEvent.ref, func.count(VisitEvent.id))
            .where(VisitEvent.kind.in_(("guide_view", "bundle_view")), VisitEvent.at >= since,
                   VisitEvent.ref.is_not(None))
            .group_by(VisitEvent.kind, VisitEvent.ref)):
        counts[f"{'guide' if kind == 'guide_view' else 'bundle'}:{ref}"] += n
    for ref, n in session.execute(
            select(GuideViewCount.ref, func.sum(GuideViewCount.count))
            .where(GuideViewCount.day >= since.date()).group_by(GuideViewCount.ref)):
        counts[ref] += int(n or 0)
    return dict(counts)


class PhoneViews:
    """Per-process counter of phone page views, written every :data:`FLUSH_SECONDS`."""

    def __init__(self, timezone: str):
        self.tz = ZoneInfo(timezone)
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()
        self._flushed = time.monotonic()

    def seen(self, ref: str, now: datetime) -> None:
        with self._lock:
            self._counts[(now.astimezone(self.tz).date().isoformat(), ref)] += 1

    def due(self) -> bool:
        return bool(self._counts) and time.monotonic() - self._flushed >= FLUSH_SECONDS

    def flush(self, session: Session) -> int:
        """Add the counted views to their rows in one transaction (the caller commits)."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._flushed = time.monotonic()
        for (day, ref), n in counts.items():
            row = session.scalar(select(GuideViewCount).where(
                GuideViewCount.day == datetime.fromisoformat(day).date(), GuideViewCount.ref == ref,
                GuideViewCount.channel == "phone"))
            if row is None:
                session.add(GuideViewCount(day=datetime.fromisoformat(day).date(), ref=ref, channel="phone", count=n))
            else:
                row.count += n
        return sum(counts.values())
