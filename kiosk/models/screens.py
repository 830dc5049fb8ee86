"""Screens, groups, playlists, the schedule and alerts."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow

KINDS = ("led_wall", "led_strip", "window", "kiosk")
DEFAULT_LAYOUTS = {
    "led_wall": "led_wall",
    "led_strip": "led_strip",
    "window": "window",
    "kiosk": "kiosk",
}
ALERT_LEVELS = ("info", "warning", "critical")
# A kiosk left alone this long goes back from the touch UI to the rotation (Screen.idle_seconds).
DEFAULT_IDLE_SECONDS = 60
IDLE_SECONDS_RANGE = (20, 600)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ScreenGroup(TimestampMixin, db.Model):
    __tablename__ = "screen_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    default_playlist_id: Mapped[int | None] = mapped_column(ForeignKey("playlist.id"))

    default_playlist: Mapped[Playlist | None] = relationship()
    screens: Mapped[list[Screen]] = relationship(back_populates="group")


class Screen(TimestampMixin, db.Model):
    """A physical display. Its token lets it *receive* its state and nothing else."""

    __tablename__ = "screen"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    layout: Mapped[str] = mapped_column(String(64))
    group_id: Mapped[int] = mapped_column(ForeignKey("screen_group.id"))
    token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_version: Mapped[str | None] = mapped_column(String(64))
    showing: Mapped[str | None] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    # kiosks only: seconds without a touch before the page returns to the rotation; None =
    # DEFAULT_IDLE_SECONDS. Read when the page loads, so a change is followed by a reload.
    idle_seconds: Mapped[int | None] = mapped_column(Integer)

    group: Mapped[ScreenGroup] = relationship(back_populates="screens")

    @property
    def idle_timeout(self) -> int:
        """The idle timeout in seconds this kiosk uses (its own or the default)."""
        return self.idle_seconds or DEFAULT_IDLE_SECONDS


class Playlist(TimestampMixin, db.Model):
    __tablename__ = "playlist"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    items: Mapped[list[PlaylistItem]] = relationship(
        order_by="PlaylistItem.position", cascade="all, delete-orphan"
    )


class PlaylistItem(db.Model):
    """A content reference (``guide:CODE``, ``bundle:CODE``, ``notice:CODE``,
    ``evaluation:hall``, ``disclosure:CODE`` …) shown for ``duration`` seconds."""

    __tablename__ = "playlist_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlist.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(String(200))
    duration: Mapped[int] = mapped_column(Integer, default=15)


class ScheduleEntry(TimestampMixin, db.Model):
    """Puts a playlist on groups for a date range, on weekdays, in a daily time window.

    ``end_time`` <= ``start_time`` means the window runs overnight into the next day; the
    part after midnight belongs to the day the window *started* (its weekday and date range).
    """

    __tablename__ = "schedule_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    playlist_id: Mapped[int] = mapped_column(ForeignKey("playlist.id"))
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # group names; empty = all
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # inclusive
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5, 6, 7])
    start_time: Mapped[time] = mapped_column(Time, default=time(0, 0))
    end_time: Mapped[time] = mapped_column(Time, default=time(0, 0))  # == start: all day
    priority: Mapped[int] = mapped_column(Integer, default=0)
    takeover: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The review rule (services/schedule_review.py): an entry plays only once approved
    # (``live``); an editor's change to a live entry waits in ``pending`` meanwhile.
    live: Mapped[bool] = mapped_column(Boolean, default=True)
    pending: Mapped[dict | None] = mapped_column(JSON)

    playlist: Mapped[Playlist] = relationship()


class Alert(TimestampMixin, db.Model):
    """An emergency or service alert overlaid on every targeted screen until it expires."""

    __tablename__ = "alert"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(500))
    level: Mapped[str] = mapped_column(String(20), default="warning")
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = all groups
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
