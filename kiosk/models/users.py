"""Staff accounts, API tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, UTCDateTime, utcnow

ROLES = ("admin", "reviewer", "editor", "viewer")


class User(TimestampMixin, db.Model):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(300))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginThrottle(db.Model):
    """Wrong passwords from one client address for one account name (issue 10).

    The lock is per (client, name), never per account: an attacker who guesses ``admin``'s
    password from the hall Wi-Fi locks only himself, and the owner still signs in from the
    office. After ``MAX_FAILURES`` the pair waits 1 minute, and every further failure doubles
    the wait (up to 15 minutes) until a right password, an admin's 解锁 or a quiet day.
    Names without an account get rows too, so the page never tells which names exist.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("client", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64), index=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locks: Mapped[int] = mapped_column(Integer, default=0)  # locks since the last success
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StaffSession(db.Model):
    """A signed-in panel session, kept on the server so that it can be ended there.

    The signed cookie only carries this row's random id: signing out, a password change or
    reset, disabling the account and changing its role set ``revoked_at``, after which a
    copy of the cookie opens nothing, even once the account is enabled again.
    """

    __tablename__ = "staff_session"
    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    client: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class ApiToken(TimestampMixin, db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; it is shown once."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: until revoked
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AuditLog(db.Model):
    """One row per write: who, when, what, before/after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # user name, "cli", "import:<file>", "system"
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(100))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
