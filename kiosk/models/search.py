"""What the search needs besides the content: staff's lexicon entries and phone page views."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import TimestampMixin


class SearchTerm(TimestampMixin, db.Model):
    """A colloquial-lexicon entry added in the staff panel (the shipped ones are the file
    ``content/search/lexicon.txt``): ``left`` what citizens say, ``right`` the official terms,
    each comma-separated as in the file. It changes which published guides a query finds,
    never what a guide says, so it takes effect when an admin or reviewer saves it."""

    __tablename__ = "search_term"
    id: Mapped[int] = mapped_column(primary_key=True)
    left: Mapped[str] = mapped_column(Text)
    right: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100), default="")


class GuideViewCount(db.Model):
    """Views of a guide's or bundle's page per day and channel (``phone``: the page a kiosk's
    QR code opens). Counted in memory and written in batches, so that a citizen's page view
    is never a database write of its own. Kiosk views are the ``guide_view`` visit events."""

    __tablename__ = "guide_view_count"
    __table_args__ = (UniqueConstraint("day", "ref", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    ref: Mapped[str] = mapped_column(String(100))  # guide:<code> / bundle:<code>
    channel: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=0)
