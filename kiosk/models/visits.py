"""What kiosk visits did (demand analytics): which guides people look for and find.

A visit is one person's use of a kiosk from the first touch until it falls back to the
rotation. The page makes a random id per visit (``visit``) that links that visit's events and
nothing else: no cookie, no device id, nothing typed except search words, so the rows say
what was asked for, never who asked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime

# ``rating`` is written by the server when it stores a rating, never sent by the page.
VISIT_EVENT_KINDS = ("visit_start", "visit_end", "page_view", "search", "guide_view",
                     "bundle_view", "form_view", "rating")


class VisitEvent(db.Model):
    """One thing a visit did: opened a page, searched (``query``, ``results``), viewed a guide
    or bundle (``ref`` = its code), opened a 样表 (``form_view``: ``ref`` a guide's code with
    ``page`` "guide", or a bundle's with ``page`` "bundle"), rated (``level``) or ended
    (``reason`` idle / home). ``visit`` is "" when the page did not say."""

    __tablename__ = "visit_event"
    __table_args__ = (
        Index("ix_visit_event_kind_at", "kind", "at"),
        Index("ix_visit_event_screen_at", "screen_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screen.id", ondelete="SET NULL"))
    visit: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(20))
    page: Mapped[str | None] = mapped_column(String(20))
    ref: Mapped[str | None] = mapped_column(String(100))
    # the column is "query"; the attribute is not, because ``Model.query`` is Flask-SQLAlchemy's
    search_query: Mapped[str | None] = mapped_column("query", String(100))
    results: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(20))
    level: Mapped[int | None] = mapped_column(Integer)
