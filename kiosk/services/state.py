"""The state builder: ``build_state(group, layout, now)`` -> the ``state`` payload.

A pure function of database rows and time (see ``docs/display-protocol.md``). The version is
a hash of the content, so every process computes the same version for the same state and a
screen that polls can tell "unchanged" without any shared counter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import PUBLISHED, Alert, Notice, Playlist, ScheduleEntry, ScreenGroup, TickerLine
from . import layouts
from .schedule import AlertRow, EntryRow, ScheduleRows, alerts_for, timeline
from .slides import SlideRenderer


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def load_rows(session: Session, tz: str) -> ScheduleRows:
    """Read everything resolution needs in a handful of queries."""
    entries = tuple(
        EntryRow(
            name=e.name,
            playlist=e.playlist.name,
            groups=frozenset(e.groups or ()),
            start_date=e.start_date,
            end_date=e.end_date,
            weekdays=frozenset(e.weekdays or ()),
            start_time=e.start_time,
            end_time=e.end_time,
            priority=e.priority,
            takeover=e.takeover,
            enabled=e.enabled,
        )
        for e in session.scalars(
            select(ScheduleEntry).where(ScheduleEntry.live.is_(True))
            .options(selectinload(ScheduleEntry.playlist))
        )
    )
    alerts = tuple(
        AlertRow(
            id=a.id,
            text=a.text,
            level=a.level,
            groups=frozenset(a.groups or ()),
            starts_at=a.starts_at,
            expires_at=a.expires_at,
            cancelled_at=a.cancelled_at,
        )
        for a in session.scalars(select(Alert).where(Alert.cancelled_at.is_(None)))
    )
    defaults = {
        g.name: (g.default_playlist.name if g.default_playlist else None)
        for g in session.scalars(select(ScreenGroup).options(selectinload(ScreenGroup.default_playlist)))
    }
    extra: list[datetime] = []
    for model in (Notice, TickerLine):
        for start, end in session.execute(select(model.publish_from, model.expire_at)):
            extra.extend(t for t in (start, end) if t is not None)
    return ScheduleRows(entries, alerts, defaults, tz, tuple(extra))


def _ticker(session: Session, group: str, now: datetime) -> list[str]:
    lines = session.scalars(
        select(TickerLine).where(TickerLine.status == PUBLISHED).order_by(TickerLine.position, TickerLine.id)
    )
    return [
        line.text
        for line in lines
        if (not line.groups or group in line.groups)
        and (line.publish_from is None or line.publish_from <= now)
        and (line.expire_at is None or now < line.expire_at)
    ]


def build_body(
    app: Flask, session: Session, group: str, layout_name: str, now: datetime, rows: ScheduleRows,
) -> dict[str, Any]:
    """Everything of the state except alerts: the rendered slides, timeline and ticker.

    This is the expensive part (every slide of the 24 h timeline is rendered), and it does not
    depend on alerts: alerts are overlays, so the timeline is computed without them and an
    alert only swaps ``alerts``/``version`` (see :func:`assemble` and the publisher's cache).
    """
    config = app.config
    rows = replace(rows, alerts=())
    layout = layouts.load_layout(config["LAYOUTS_DIR"], layout_name)
    segments = timeline(rows, group, now)
    playlist_names = {s.resolution.playlist for s in segments if s.resolution.playlist}
    playlists = {
        p.name: p
        for p in session.scalars(
            select(Playlist).where(Playlist.name.in_(playlist_names)).options(selectinload(Playlist.items))
        )
    }
    renderer = SlideRenderer(app, session, layout)
    items: dict[str, Any] = {}
    expanded: dict[str, list[str]] = {}  # ref -> the item ids it shows (several for a deck)

    def playlist_items(name: str | None) -> list[dict[str, Any]]:
        out = []
        for item in playlists[name].items if name in playlists else ():
            if item.ref not in expanded:
                slides = renderer.render_all(item.ref)
                expanded[item.ref] = [slide_id for slide_id, _ in slides]
                items.update(slides)
            # each slide of a deck is shown for the item's duration
            out.extend({"id": slide_id, "duration": item.duration} for slide_id in expanded[item.ref])
        return out

    cache: dict[str | None, list[dict[str, Any]]] = {}
    timeline_json = []
    for seg in segments:
        res = seg.resolution
        if res.playlist not in cache:
            cache[res.playlist] = playlist_items(res.playlist)
        timeline_json.append(
            {
                "start": iso(seg.start),
                "end": iso(seg.end) if seg.end else None,
                "mode": res.base_mode,
                "source": res.source,
                "playlist": res.playlist,
                "items": cache[res.playlist],
            }
        )
    return {
        "timezone": config["TIMEZONE"],
        "hall": {"name": config.get("HALL_NAME", "政务服务中心")},
        "screen": {"group": group, "layout": layout_name, "kind": layout.get("kind")},
        "layout": layouts.public(layout),
        "timeline": timeline_json,
        "items": items,
        "ticker": _ticker(session, group, now),
    }


def alerts_json(rows: ScheduleRows, group: str, now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "text": a.text,
            "level": a.level,
            "starts_at": iso(a.starts_at),
            "expires_at": iso(a.expires_at) if a.expires_at else None,
        }
        for a in alerts_for(rows, group, now)
    ]


def assemble(body: dict[str, Any], body_version: str, alerts: list[dict[str, Any]],
             now: datetime) -> dict[str, Any]:
    """The state from a (possibly cached) body and the alerts of the moment.

    The version hashes the body's version with the alerts, so it is still a pure content hash:
    every process computes the same version for the same state.
    """
    raw = body_version + json.dumps(alerts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {
        **body,
        "alerts": alerts,
        "version": hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16],
        "server_time": iso(now),
    }


def build_state(
    app: Flask, session: Session, group: str, layout_name: str, now: datetime,
    rows: ScheduleRows | None = None,
) -> dict[str, Any]:
    """The state shared by every screen of ``group`` showing ``layout_name`` at ``now``."""
    rows = rows or load_rows(session, app.config["TIMEZONE"])
    body = build_body(app, session, group, layout_name, now, rows)
    return assemble(body, content_version(body), alerts_json(rows, group, now), now)


def content_version(state: dict[str, Any]) -> str:
    body = {k: v for k, v in state.items() if k not in ("version", "server_time")}
    raw = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


def for_screen(state: dict[str, Any], screen) -> dict[str, Any]:
    """The per-screen copy sent on connect: the shared state plus the screen's identity."""
    return {**state, "screen": {**state["screen"], "id": screen.id, "name": screen.name}}
