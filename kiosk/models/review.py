"""Versioned drafts of citizen-facing content and their review state (源头审核).

Nothing an editor types reaches a screen directly: each change is a :class:`ContentVersion`
holding a JSON snapshot of the editable fields. Only when a second person approves it (and
its ``publish_from`` has come) is the snapshot copied onto the live row, whose ``status`` the
screens read. The live tables stay exactly as the importer and the display code know them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

VERSION_STATES = ("draft", "submitted", "approved", "rejected", "published", "superseded")
VERSION_KINDS = ("edit", "create", "rollback")
OBJECT_TYPES = ("guide", "notice", "ticker", "bundle", "playlist")


class ContentVersion(db.Model):
    """One version of one content item (``object_type`` + ``object_key`` = its code)."""

    __tablename__ = "content_version"
    __table_args__ = (
        UniqueConstraint("object_type", "object_key", "number"),
        Index("ix_content_version_state", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(String(20))  # one of OBJECT_TYPES
    object_key: Mapped[str] = mapped_column(String(64))  # the item's code (a playlist's name)
    object_id: Mapped[int | None] = mapped_column(Integer)  # live row id once it exists
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3 … per item
    kind: Mapped[str] = mapped_column(String(10), default="edit")  # edit / create / rollback
    based_on: Mapped[int | None] = mapped_column(Integer)  # version number it started from
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # snapshot of the editable fields
    state: Mapped[str] = mapped_column(String(20), default="draft")
    author: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str | None] = mapped_column(String(64))
    reject_reason: Mapped[str | None] = mapped_column(Text)
    publish_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expire_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
