"""Schedule resolution: a pure function of (rows, screen, time).

Nothing here reads the database or the clock. A restart, a missed job or a reconnect simply
asks "what is true now?" again, so nothing is ever replayed. ``kiosk.services.state`` loads the
rows; the scheduler only needs :func:`next_boundary` to know when to wake the publisher.

Precedence, highest first: an active alert (shown over the content) > takeover entries
(hall closed …) > scheduled entries by priority > the group's default playlist.
Ties are broken deterministically: an entry aimed at named groups beats one for all groups,
then the entry whose name sorts first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LOOKBACK = timedelta(days=8)  # how far back we look for the start of the current segment
HORIZON = timedelta(hours=24)


@dataclass(frozen=True)
class EntryRow:
    name: str
    playlist: str
    groups: frozenset[str] = frozenset()  # empty: every group
    start_date: date | None = None
    end_date: date | None = None  # inclusive
    weekdays: frozenset[int] = frozenset(range(1, 8))  # ISO weekday numbers
    start_time: time = time(0, 0)
    end_time: time = time(0, 0)  # <= start_time: the window runs past midnight
    priority: int = 0
    takeover: bool = False
    enabled: bool = True

    def applies_to(self, group: str) -> bool:
        return self.enabled and (not self.groups or group in self.groups)

    def runs_on(self, day: date) -> bool:
        """Whether a window *starting* on ``day`` exists (weekday and date range)."""
        if self.start_date and day < self.start_date:
            return False
        if self.end_date and day > self.end_date:
            return False
        return day.isoweekday() in self.weekdays

    @property
    def overnight(self) -> bool:
        return self.end_time <= self.start_time

    def active_at(self, local: datetime) -> bool:
        """``local`` is a naive wall-clock time in the hall's zone."""
        t, today = local.time(), local.date()
        if not self.overnight:
            return self.runs_on(today) and self.start_time <= t < self.end_time
        if self.runs_on(today) and t >= self.start_time:
            return True
        return self.runs_on(today - timedelta(days=1)) and t < self.end_time

    def sort_key(self) -> tuple:
        return (-self.priority, 0 if self.groups else 1, self.name)


@dataclass(frozen=True)
class AlertRow:
    id: int
    text: str
    level: str
    groups: frozenset[str] = frozenset()
    starts_at: datetime = EPOCH
    expires_at: datetime | None = None
    cancelled_at: datetime | None = None

    def applies_to(self, group: str) -> bool:
        return not self.groups or group in self.groups

    def active_at(self, now: datetime) -> bool:
        if self.cancelled_at is not None and self.cancelled_at <= now:
            return False
        if now < self.starts_at:
            return False
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True)
class ScheduleRows:
    """Everything resolution needs, loaded once: entries, alerts, per-group defaults."""

    entries: tuple[EntryRow, ...] = ()
    alerts: tuple[AlertRow, ...] = ()
    defaults: dict[str, str | None] = field(default_factory=dict)  # group -> playlist name
    tz: str = "Asia/Shanghai"
    extra_boundaries: tuple[datetime, ...] = ()  # e.g. notices starting/expiring

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True)
class Resolution:
    mode: str  # "alert" | "takeover" | "scheduled" | "default" | "empty"
    playlist: str | None  # what plays underneath (alerts are overlays)
    source: str  # schedule entry name, "default" or "none"
    alerts: tuple[AlertRow, ...] = ()
    base_mode: str = ""  # the mode without alerts: what the rotation follows

    def content_key(self) -> tuple:
        """What the rotation depends on. Alerts are overlays with their own start and
        expiry, so posting one must not restart the playlist underneath."""
        return (self.base_mode, self.playlist, self.source)


def _group_of(screen) -> str:
    if isinstance(screen, str):
        return screen
    group = getattr(screen, "group", None)
    return group if isinstance(group, str) else getattr(group, "name", str(group))


def resolve(rows: ScheduleRows, screen, now: datetime) -> Resolution:
    """What ``screen`` (a group name or an object with ``.group``) shows at ``now`` (aware)."""
    if now.tzinfo is None:
        raise ValueError("resolve() needs an aware datetime")
    group = _group_of(screen)
    local = now.astimezone(rows.zone).replace(tzinfo=None)
    alerts = tuple(
        sorted(
            (a for a in rows.alerts if a.applies_to(group) and a.active_at(now)),
            key=lambda a: (_LEVEL_RANK.get(a.level, 9), -a.starts_at.timestamp(), a.id),
        )
    )
    active = sorted(
        (e for e in rows.entries if e.applies_to(group) and e.active_at(local)),
        key=EntryRow.sort_key,
    )
    takeovers = [e for e in active if e.takeover]
    if takeovers:
        mode, playlist, source = "takeover", takeovers[0].playlist, takeovers[0].name
    elif active:
        mode, playlist, source = "scheduled", active[0].playlist, active[0].name
    elif rows.defaults.get(group):
        mode, playlist, source = "default", rows.defaults[group], "default"
    else:
        mode, playlist, source = "empty", None, "none"
    return Resolution("alert" if alerts else mode, playlist, source, alerts, base_mode=mode)


_LEVEL_RANK = {"critical": 0, "warning": 1, "info": 2}


def boundaries(rows: ScheduleRows, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in (start, end] at which some resolution *may* change, sorted, UTC.

    Over-reporting is harmless (equal neighbours are merged); missing one is not, so every
    window edge of every day in range is listed whether or not the entry runs that day.
    """
    zone = rows.zone
    points: set[datetime] = set()
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    day = first
    while day <= last:
        points.add(_instant(day, time(0, 0), zone))
        for e in rows.entries:
            points.add(_instant(day, e.start_time, zone))
            points.add(_instant(day, e.end_time, zone))
        day += timedelta(days=1)
    for a in rows.alerts:
        points.update(t for t in (a.starts_at, a.expires_at, a.cancelled_at) if t is not None)
    points.update(rows.extra_boundaries)
    return sorted(p for p in points if start < p <= end)


def _instant(day: date, t: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, t, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Segment:
    start: datetime  # EPOCH when the segment began before the look-back window
    end: datetime | None  # None: beyond the computed horizon
    resolution: Resolution


def timeline(
    rows: ScheduleRows, screen, now: datetime, horizon: timedelta = HORIZON
) -> list[Segment]:
    """Back-to-back segments from the one playing at ``now`` until ``horizon`` after the next
    change, so the list (and the state's version) stays identical between two changes."""
    lookback_start = now - LOOKBACK
    ahead = boundaries(rows, now, now + horizon * 2 + timedelta(days=1))
    horizon_end = (ahead[0] if ahead else now) + horizon
    points = boundaries(rows, lookback_start, now) + ahead
    # Walk backwards from now to find when the current resolution began.
    current = resolve(rows, screen, now)
    start = EPOCH
    past = [p for p in points if p <= now]
    for p in reversed(past):
        before = resolve(rows, screen, p - timedelta(microseconds=1))
        if before.content_key() != current.content_key():
            start = p
            break
    segments: list[Segment] = []
    seg_start, seg_res = start, current
    for p in (p for p in points if p > now):
        res = resolve(rows, screen, p)
        if res.content_key() == seg_res.content_key():
            continue
        segments.append(Segment(seg_start, p, seg_res))
        if p >= horizon_end:
            return segments
        seg_start, seg_res = p, res
    segments.append(Segment(seg_start, None, seg_res))
    return segments


def next_boundary(rows: ScheduleRows, now: datetime, within: timedelta = HORIZON) -> datetime | None:
    """The next instant at which any screen might need a new state (for the one scheduler job)."""
    ahead = boundaries(rows, now, now + within)
    return ahead[0] if ahead else None


def alerts_for(rows: ScheduleRows, group: str, now: datetime) -> list[AlertRow]:
    """Alerts a screen of ``group`` must know about: active now or starting later."""
    return sorted(
        (
            a
            for a in rows.alerts
            if a.applies_to(group)
            and a.cancelled_at is None
            and (a.expires_at is None or now < a.expires_at)
        ),
        key=lambda a: a.id,
    )
