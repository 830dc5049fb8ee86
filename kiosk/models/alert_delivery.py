"""Which state version carried an alert to each (group, layout) room.

The publisher hashes every state; a screen reports the version it shows in its heartbeat.
Recording the version computed when the alert went out lets the panel tell, per screen,
whether the alert has actually reached the glass (an acknowledgement without any new
message in the display protocol).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class AlertDelivery(db.Model):
    __tablename__ = "alert_delivery"
    __table_args__ = (UniqueConstraint("alert_id", "group", "layout"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    group: Mapped[str] = mapped_column(String(64))
    layout: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
