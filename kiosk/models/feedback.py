"""Individual 好差评 ratings (one row per rating a citizen gave), from any channel.

The kiosk is the first channel; a later issue brings the others the national system knows
(窗口评价器 ``window_device``, 网上 ``web``, APP ``app``, 12345 ``hotline``, 短信 ``sms``) into
the same table, which is why a rating names its channel, may carry the id it has in the
system it came from (``external_id``, unique, so a re-run import stores nothing twice) and
the 工号 of the member of staff it is about. The period figures screens show
(:class:`~kiosk.models.stats.EvaluationStat`) can then be computed from these rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

CHANNELS = ("kiosk",)  # later: window_device, web, app, hotline, sms


class Evaluation(db.Model):
    """One rating on the five national levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意,
    1 非常不满意.

    ``contact_phone`` is PRIVATE: a call-back number the citizen left so that the hall can
    follow up a bad rating. It is for the staff who handle complaints only and must never
    appear in a screen's state, a slide, the kiosk catalogue or any public API.

    The foreign keys are ``SET NULL`` on delete: a rating stays counted when the screen, guide
    or bundle it was given at is removed later. ``department_id`` and ``window`` are copied
    from the guide (or the bundle's window) when the rating is stored, so that statistics keep
    the department and window that served the citizen even after the guide changes.
    """

    __tablename__ = "evaluation"
    __table_args__ = (
        Index("ix_evaluation_rated_at", "rated_at"),
        Index("ix_evaluation_screen_rated", "screen_id", "rated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    screen_id: Mapped[int | None] = mapped_column(ForeignKey("screen.id", ondelete="SET NULL"))
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("guide.id", ondelete="SET NULL"))
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundle.id", ondelete="SET NULL"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    window: Mapped[str] = mapped_column(String(100), default="")
    staff_number: Mapped[str | None] = mapped_column(String(40))  # 工号 (window devices, later)
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    contact_phone: Mapped[str | None] = mapped_column(String(40))  # PRIVATE, see the docstring
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
