"""Pairing a new device with a 6-digit code (no token is ever typed by a person).

Why it is shaped so:

* The code is only a rendezvous: the device proves it is the one that asked by a random
  secret kept in its localStorage and sent with every poll; only its SHA-256 is stored, and
  the screen URL is told to nobody else.
* Codes are 6 random digits (``secrets``) valid for ``CODE_MINUTES``; one device gets the same
  code back while it is valid (reloading the page does not burn codes), and at most
  ``MAX_OPEN`` codes are open at once so the code space cannot be filled.
* Guessing is bounded twice: codes expire, and wrong claims are counted per staff member
  (:class:`ClaimLimiter`, ``MAX_WRONG`` per ``WRONG_WINDOW``), after which claims are refused
  for a while even with a right code.
* A claim creates the screen with :func:`services.screens.add_screens` (same validation as the
  CLI and API) and an ``AuditLog`` row, in the caller's transaction; a wrong code creates
  nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import AuditLog, PairingCode, Screen, utcnow
from .screens import NewScreen, ScreenError, add_screens

CODE_MINUTES = 10
MAX_OPEN = 1000
MAX_WRONG = 5
WRONG_WINDOW = 600.0  # seconds
KEEP_CLAIMED = timedelta(hours=1)  # a claimed code answers the device's poll this long


class PairingError(ValueError):
    """``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class Status:
    status: str  # "pending" | "claimed" | "unknown"
    expires_at: datetime | None = None
    token: str | None = None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def valid_secret(secret: object) -> bool:
    return isinstance(secret, str) and 16 <= len(secret) <= 128 and secret.isascii() and secret.isprintable()


def normalise_code(code: object) -> str | None:
    """People type codes with spaces or dashes ("123 456"): keep the 6 digits or refuse."""
    if not isinstance(code, str):
        return None
    digits = "".join(ch for ch in code if ch not in " -\u3000")
    return digits if len(digits) == 6 and digits.isascii() and digits.isdigit() else None


def purge(session: Session, now: datetime) -> None:
    """Expired open codes and long-claimed ones go (they hold nothing worth keeping)."""
    session.execute(delete(PairingCode).where(PairingCode.claimed_at.is_(None), PairingCode.expires_at <= now))
    session.execute(delete(PairingCode).where(PairingCode.claimed_at.is_not(None),
                                              PairingCode.claimed_at <= now - KEEP_CLAIMED))


def issue(session: Session, secret: str, now: datetime | None = None) -> PairingCode:
    """The open code of this device, or a new one. Raises PairingError when too many are open."""
    now = now or utcnow()
    if not valid_secret(secret):
        raise PairingError("secret", "设备标识无效 (bad device secret)")
    purge(session, now)
    digest = hash_secret(secret)
    mine = session.scalar(select(PairingCode).where(
        PairingCode.secret_hash == digest, PairingCode.claimed_at.is_(None), PairingCode.expires_at > now))
    if mine is not None:
        return mine
    open_count = session.scalar(select(func.count()).select_from(PairingCode)
                                .where(PairingCode.claimed_at.is_(None))) or 0
    if open_count >= MAX_OPEN:
        raise PairingError("code", "待配对的设备过多，请稍后再试 (too many open codes)")
    taken = set(session.scalars(select(PairingCode.code).where(PairingCode.claimed_at.is_(None))))
    code = f"{secrets.randbelow(1_000_000):06d}"
    while code in taken:
        code = f"{secrets.randbelow(1_000_000):06d}"
    row = PairingCode(code=code, secret_hash=digest, created_at=now,
                      expires_at=now + timedelta(minutes=CODE_MINUTES))
    session.add(row)
    session.flush()
    return row


def status(session: Session, code: object, secret: object, now: datetime | None = None) -> Status:
    """What the device polling with (code, secret) should do. Unknown, expired and someone
    else's code all answer ``unknown`` (the device then asks for a new code)."""
    now = now or utcnow()
    code = normalise_code(code)
    if code is None or not valid_secret(secret):
        return Status("unknown")
    digest = hash_secret(str(secret))
    row = session.scalar(select(PairingCode).where(PairingCode.code == code, PairingCode.secret_hash == digest)
                         .order_by(PairingCode.id.desc()))
    if row is None or not hmac.compare_digest(row.secret_hash, digest):
        return Status("unknown")
    if row.claimed_at is not None:
        screen = row.screen
        if screen is None or screen.revoked_at is not None or row.claimed_at <= now - KEEP_CLAIMED:
            return Status("unknown")
        return Status("claimed", token=screen.token)
    if row.expires_at <= now:
        return Status("unknown")
    return Status("pending", expires_at=row.expires_at)


class ClaimLimiter:
    """Wrong codes per staff member (in memory, per process): after ``MAX_WRONG`` within
    ``WRONG_WINDOW`` seconds every claim is refused until the oldest failure ages out."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._wrong: dict[str, list[float]] = {}

    def _recent(self, who: str) -> list[float]:
        now = self._clock()
        recent = [t for t in self._wrong.get(who, []) if now - t < WRONG_WINDOW]
        self._wrong[who] = recent
        return recent

    def blocked_for(self, who: str) -> int:
        """Seconds until ``who`` may try again (0 = now)."""
        with self._lock:
            recent = self._recent(who)
            if len(recent) < MAX_WRONG:
                return 0
            return max(1, int(WRONG_WINDOW - (self._clock() - recent[0])) + 1)

    def failed(self, who: str) -> int:
        """Count a wrong code; returns how many tries are left."""
        with self._lock:
            recent = self._recent(who)
            recent.append(self._clock())
            return max(0, MAX_WRONG - len(recent))

    def reset(self, who: str) -> None:
        with self._lock:
            self._wrong.pop(who, None)


def claim(session: Session, code: object, spec: NewScreen, *, layouts_dir: str, actor: str,
          now: datetime | None = None) -> Screen:
    """Turn an open code into a new screen (one transaction, the caller commits).

    Raises PairingError("code", …) for a wrong/expired code (nothing is created) and
    ScreenError for bad screen fields."""
    now = now or utcnow()
    digits = normalise_code(code)
    if digits is None:
        raise PairingError("code", "配对码应为 6 位数字 (code must be 6 digits)")
    row = session.scalar(select(PairingCode).where(
        PairingCode.code == digits, PairingCode.claimed_at.is_(None), PairingCode.expires_at > now))
    if row is None:
        raise PairingError("code", "配对码不正确或已过期，请核对屏幕上显示的号码 (unknown or expired code)")
    [screen] = add_screens(session, spec, layouts_dir=layouts_dir, actor=actor)
    row.claimed_at, row.claimed_by, row.screen_id = now, actor[:64], screen.id
    session.add(AuditLog(actor=actor, action="pair", object_type="screen", object_id=str(screen.id),
                         after={"name": screen.name, "group": spec.group, "kind": screen.kind,
                                "layout": screen.layout, "pairing_code_id": row.id}))
    session.flush()
    return screen


__all__ = ["ClaimLimiter", "PairingError", "ScreenError", "Status", "claim", "issue", "status"]
