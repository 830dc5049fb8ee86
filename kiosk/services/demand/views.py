"""Demand: how often each guide and bundle was looked at in the last 30 days.

Kiosk views are the visits' ``guide_view`` / ``bundle_view`` events; phone views (the page a
kiosk's QR code opens, ``/g/<code>``) are counted in memory by each web process and written
as one row per guide, day and channel (:class:`PhoneViews`), so that a citizen opening a page
never costs a database write of its own and a flood of requests cannot grow a table row by row.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ...models import GuideViewCount, VisitEvent

log = logging.getLogger(__name__)
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
    """Per-process counter of phone page views (``ref`` → views per local day)."""

    def __init__(self, timezone: str):
        self.tz = ZoneInfo(timezone)
        self._counts: Counter[tuple[date, str]] = Counter()
        self._lock = threading.Lock()
        self._flushed = time.monotonic()

    def seen(self, ref: str, now: datetime) -> None:
        with self._lock:
            self._counts[(now.astimezone(self.tz).date(), ref)] += 1

    def due(self) -> bool:
        return bool(self._counts) and time.monotonic() - self._flushed >= FLUSH_SECONDS

    def take(self) -> Counter[tuple[date, str]]:
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._flushed = time.monotonic()
            return counts

    def give_back(self, counts: Counter[tuple[date, str]]) -> None:
        with self._lock:
            self._counts.update(counts)


def write_counts(session: Session, counts: Counter[tuple[date, str]], channel: str = "phone") -> None:
    """Add ``counts`` to their rows (the caller commits: one transaction)."""
    for (day, ref), n in counts.items():
        row = session.scalar(select(GuideViewCount).where(
            GuideViewCount.day == day, GuideViewCount.ref == ref, GuideViewCount.channel == channel))
        if row is None:
            session.add(GuideViewCount(day=day, ref=ref, channel=channel, count=n))
        else:
            row.count += n


def phone_views(app) -> PhoneViews:
    """This process's counter of the app's phone page views."""
    counter = app.extensions.get("kiosk.phone_views")
    if counter is None:
        counter = app.extensions["kiosk.phone_views"] = PhoneViews(app.config["TIMEZONE"])
    return counter


def count_phone_view(app, bind, ref: str, now: datetime) -> None:
    """One view of a phone page. Every :data:`FLUSH_SECONDS` the process's counts are written
    in a session of their own; when that fails they wait for the next flush (the page itself
    never fails for it)."""
    counter = phone_views(app)
    counter.seen(ref, now)
    if not counter.due():
        return
    counts = counter.take()
    for _ in range(2):  # another process may have created one of the rows meanwhile
        with Session(bind=bind) as session:
            try:
                write_counts(session, counts)
                session.commit()
                return
            except (IntegrityError, OperationalError) as err:
                session.rollback()
                log.info("phone view counts not written yet (%s): retrying", type(err).__name__)
    counter.give_back(counts)
