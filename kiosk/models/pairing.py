"""Pairing codes: how a new device becomes a screen without anyone typing its token.

A browser opening ``/screen`` gets a short-lived 6-digit code bound to a random secret it
keeps in localStorage (only the secret's SHA-256 is stored). Staff type the code in the
panel; the screen row is created then, and the device's next poll learns its page.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .screens import Screen


class PairingCode(db.Model):
    __tablename__ = "pairing_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screen.id", ondelete="CASCADE"))

    screen: Mapped[Screen | None] = relationship()
