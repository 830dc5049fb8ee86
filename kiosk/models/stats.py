"""Published figures: 好差评 period statistics and disclosure annual reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import PUBLISHED, TimestampMixin, UTCDateTime
from .content import Department

LEVELS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")
LEVEL_LABELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")


class EvaluationStat(TimestampMixin, db.Model):
    """Counts of the five 好差评 levels for one window in one period (a month)."""

    __tablename__ = "evaluation_stat"
    __table_args__ = (UniqueConstraint("period", "window"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date] = mapped_column(Date)  # first day of the month
    window: Mapped[str] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    very_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    basic: Mapped[int] = mapped_column(Integer, default=0)
    dissatisfied: Mapped[int] = mapped_column(Integer, default=0)
    very_dissatisfied: Mapped[int] = mapped_column(Integer, default=0)

    department: Mapped[Department] = relationship()

    @property
    def counts(self) -> list[int]:
        return [getattr(self, level) for level in LEVELS]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def good(self) -> int:
        """好评 = 非常满意 + 满意 + 基本满意 (levels 3–5 of the national scale)."""
        return self.very_satisfied + self.satisfied + self.basic


class DisclosureReport(TimestampMixin, db.Model):
    """A 政府信息公开工作年度报告 in the 2021 template's structured form (see disclosure docs).

    One per agency and year. ``checks`` are the 勾稽关系 checks computed when the report was
    stored or imported (with last year's report for ``carry_over``); rows imported before
    checks were stored have none (``None``) and are checked when they are rendered. A report
    whose checks fail reaches screens only with an override: a reviewer's written reason
    (``override_*``), valid only for the figures and failed checks it was given for — their
    ``override_fingerprint`` (see ``services/disclosure/overrides.py``).
    """

    __tablename__ = "disclosure_report"
    __table_args__ = (UniqueConstraint("agency", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    agency: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=PUBLISHED)
    checks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    checks_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    source_filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    override_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    override_by: Mapped[str | None] = mapped_column(String(100), nullable=True)  # user name
    overridden_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    override_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # An upload waiting for review (services/disclosure/review.py): the report stays as it is
    # (or, when new, ``status = "submitted"`` keeps it off screens) until approved.
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
