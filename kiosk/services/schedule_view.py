"""What the schedule editor shows: a week grid, conflicts, gaps and "what will screen S show
at time T" — all computed with the resolver the screens use (``services/schedule.py``), so
the panel can never disagree with the glass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Playlist, Screen
from .schedule import EntryRow, Resolution, ScheduleRows, boundaries, resolve

MODE_LABELS = {"takeover": "临时接管", "scheduled": "按计划", "default": "默认播放", "empty": "无内容",
               "alert": "紧急通知"}
WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")


def without_alerts(rows: ScheduleRows) -> ScheduleRows:
    """The grid is about playlists; alerts are overlays shown on the alert page."""
    return ScheduleRows(rows.entries, (), rows.defaults, rows.tz, ())


def active_entries(rows: ScheduleRows, group: str, local: datetime) -> list[EntryRow]:
    """Entries active for ``group`` at a local wall-clock time, winner first (the resolver's
    order: takeovers, then priority, named groups, name)."""
    active = sorted((e for e in rows.entries if e.applies_to(group) and e.active_at(local)),
                    key=EntryRow.sort_key)
    return [e for e in active if e.takeover] + [e for e in active if not e.takeover]


@dataclass(frozen=True)
class Conflict:
    winner: str
    overridden: tuple[str, ...]


@dataclass
class Cell:
    start: datetime  # local, naive
    resolution: Resolution
    conflicts: list[Conflict] = field(default_factory=list)
    gap: bool = False
    changes: list[tuple[str, Resolution]] = field(default_factory=list)  # "HH:MM" -> what starts

    @property
    def mode(self) -> str:
        return "gap" if self.resolution.base_mode == "empty" else self.resolution.base_mode


@dataclass
class Week:
    group: str
    start: date
    days: list[date]
    hours: list[int]
    cells: list[list[Cell]]  # [day][hour]

    @property
    def conflict_count(self) -> int:
        return sum(1 for row in self.cells for c in row if c.conflicts)

    @property
    def gap_count(self) -> int:
        return sum(1 for row in self.cells for c in row if c.gap)


def week(rows: ScheduleRows, group: str, start: date, days: int = 7) -> Week:
    """Days × hours for ``group``. Each hour is checked at its start and at every instant
    inside it where something may change, so a 15-minute entry or overlap is not missed."""
    rows = without_alerts(rows)
    zone = rows.zone
    first = datetime.combine(start, time(0), tzinfo=zone)
    last = datetime.combine(start + timedelta(days=days), time(0), tzinfo=zone)
    points = boundaries(rows, first, last)
    cells: list[list[Cell]] = []
    for d in range(days):
        day = start + timedelta(days=d)
        row = []
        for hour in range(24):
            local = datetime.combine(day, time(hour))
            begin = local.replace(tzinfo=zone)
            end = begin + timedelta(hours=1)
            instants = [begin] + [p.astimezone(zone) for p in points if begin < p < end]
            cell = Cell(local, resolve(rows, group, begin))
            seen: set[tuple[str, tuple[str, ...]]] = set()
            previous = None
            for t in instants:
                res = resolve(rows, group, t)
                if previous is not None and res.content_key() != previous.content_key():
                    cell.changes.append((t.strftime("%H:%M"), res))
                previous = res
                if res.base_mode == "empty":
                    cell.gap = True
                active = active_entries(rows, group, t.replace(tzinfo=None))
                if len(active) > 1:
                    key = (active[0].name, tuple(e.name for e in active[1:]))
                    if key not in seen:
                        seen.add(key)
                        cell.conflicts.append(Conflict(*key))
            row.append(cell)
        cells.append(row)
    return Week(group, start, [start + timedelta(days=d) for d in range(days)], list(range(24)), cells)


def what_shows(session: Session, rows: ScheduleRows, screen: Screen, local: datetime) -> dict[str, Any]:
    """What ``screen`` shows at the local wall-clock time ``local`` (resolver + playlist)."""
    at = local.replace(tzinfo=rows.zone)
    group = screen.group.name
    res = resolve(rows, group, at)
    items: list[dict[str, Any]] = []
    if res.playlist:
        playlist = session.scalar(select(Playlist).where(Playlist.name == res.playlist)
                                  .options(selectinload(Playlist.items)))
        if playlist is not None:
            items = [{"ref": i.ref, "duration": i.duration} for i in playlist.items]
    return {
        "screen": screen.name, "group": group, "at": at, "mode": res.mode, "base_mode": res.base_mode,
        "playlist": res.playlist, "source": res.source, "playlist_items": items,
        "alerts": [a.text for a in res.alerts],
        "overridden": [e.name for e in active_entries(rows, group, local)[1:]],
    }
