"""Staff sign-in and account administration (no request objects: the panel passes plain values).

Lockout: ``MAX_FAILURES`` wrong passwords in a row lock the account for ``LOCK_MINUTES``. While
locked even the right password is refused; once the lock has run out the count starts afresh;
a successful sign-in resets it. Names without an account get exactly the same answers (their
failures are counted in memory by :class:`UnknownNames`, and a dummy hash is checked so the
answer takes as long), so the login page never tells whether a user name exists.

Nothing here commits: the caller commits once per request, as elsewhere in ``services``.
Every sign-in, refusal, lockout, sign-out and account change writes an :class:`AuditLog` row.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ROLES, ApiToken, AuditLog, User, utcnow
from .users import UserError, check_password_policy

MAX_FAILURES = 5
LOCK_MINUTES = 15

# Checked when the name is unknown (or the account is locked), so every answer costs one scrypt.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0", "scrypt")


def current_time() -> datetime:
    """The clock of this module (tests pass ``now=`` or replace this function)."""
    return utcnow()


@dataclass(frozen=True)
class LoginResult:
    outcome: str  # "ok" | "invalid" | "locked" | "disabled"
    user: User | None = None
    locked_until: datetime | None = None
    attempts_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class UnknownNames:
    """Failure counts for names that have no account, so they lock like real ones.

    Kept in memory per process and bounded (the oldest names are forgotten first): it only
    has to make the page answer the same way for a made-up name as for a real one.
    """

    def __init__(self, max_entries: int = 10_000):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, tuple[int, datetime | None]] = OrderedDict()

    def attempt(self, name: str, now: datetime) -> tuple[int, datetime | None, bool]:
        """Count one failure; returns (failures, locked_until, was_already_locked)."""
        with self._lock:
            failures, until = self._seen.pop(name, (0, None))
            if until is not None and until > now:
                self._seen[name] = (failures, until)
                return failures, until, True
            if until is not None:  # the lock ran out: a fresh start
                failures, until = 0, None
            failures += 1
            if failures >= MAX_FAILURES:
                until = now + timedelta(minutes=LOCK_MINUTES)
            self._seen[name] = (failures, until)
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
            return failures, until, False


_UNKNOWN = UnknownNames()  # used when the caller passes none (the panel keeps one per app)


def is_locked(user: User, now: datetime | None = None) -> bool:
    now = now or current_time()
    return user.locked_until is not None and user.locked_until > now


def session_fingerprint(user: User) -> str:
    """Part of the session's user id: a new password ends every session of the account."""
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


def _audit(session: Session, actor: str, action: str, user: User | None, **after) -> None:
    session.add(
        AuditLog(
            actor=(actor or "?")[:100],
            action=action,
            object_type="user",
            object_id=str(user.id) if user is not None else None,
            after={k: v for k, v in after.items() if v is not None} or None,
        )
    )


def attempt_login(
    session: Session,
    name: str,
    password: str,
    *,
    now: datetime | None = None,
    ip: str | None = None,
    unknown: UnknownNames | None = None,
) -> LoginResult:
    """Check a sign-in attempt, update the failure count and lock, and audit it."""
    now = now or current_time()
    name = (name or "").strip()[:64]
    user = session.scalar(select(User).where(User.name == name)) if name else None

    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        failures, until, already = (unknown or _UNKNOWN).attempt(name, now)
        if already:
            _audit(session, name, "login_refused", None, reason="locked", ip=ip)
            return LoginResult("locked", locked_until=until)
        if until is not None:
            _audit(session, name, "lockout", None, reason="unknown_user", failures=failures, ip=ip)
            return LoginResult("locked", locked_until=until)
        _audit(session, name, "login_failed", None, reason="unknown_user", ip=ip)
        return LoginResult("invalid", attempts_left=MAX_FAILURES - failures)

    if is_locked(user, now):
        check_password_hash(_DUMMY_HASH, password or "")
        _audit(session, user.name, "login_refused", user, reason="locked", ip=ip)
        return LoginResult("locked", user=user, locked_until=user.locked_until)
    if user.locked_until is not None:  # the lock ran out: a fresh start
        user.locked_until = None
        user.failed_logins = 0
        session.flush()

    if check_password_hash(user.password_hash, password or ""):
        if user.disabled_at is not None:
            _audit(session, user.name, "login_refused", user, reason="disabled", ip=ip)
            return LoginResult("disabled", user=user)
        user.failed_logins = 0
        user.locked_until = None
        _audit(session, user.name, "login", user, ip=ip)
        return LoginResult("ok", user=user)

    # counted in SQL, so that two wrong passwords sent at the same moment both count
    user.failed_logins = User.failed_logins + 1
    session.flush()
    session.refresh(user, ["failed_logins"])
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        _audit(session, user.name, "lockout", user, failures=user.failed_logins,
               locked_until=user.locked_until.isoformat(), ip=ip)
        return LoginResult("locked", user=user, locked_until=user.locked_until)
    _audit(session, user.name, "login_failed", user, reason="password", ip=ip)
    return LoginResult("invalid", user=user, attempts_left=MAX_FAILURES - user.failed_logins)


def record_logout(session: Session, user: User, *, reason: str = "logout", ip: str | None = None) -> None:
    """``reason`` is ``logout`` (the button) or ``idle`` (the session ran out)."""
    _audit(session, user.name, "logout", user, reason=reason, ip=ip)


# -- account administration (admins) -------------------------------------------------------
def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.role == "admin", User.disabled_at.is_(None))
    ) or 0


def set_disabled(session: Session, user: User, disabled: bool, *, actor: str,
                 now: datetime | None = None) -> None:
    """Disable (or enable again) an account. The last enabled admin cannot be disabled."""
    if disabled and user.disabled_at is None:
        if user.role == "admin" and active_admins(session) <= 1:
            raise UserError("user", "不能停用最后一个管理员账户")
        user.disabled_at = now or current_time()
        _audit(session, actor, "disable", user, name=user.name)
    elif not disabled and user.disabled_at is not None:
        user.disabled_at = None
        _audit(session, actor, "enable", user, name=user.name)


def set_role(session: Session, user: User, role: str, *, actor: str) -> bool:
    """Give an account another role; False when it already has it.

    The last enabled admin keeps the role: without one nobody could manage accounts any more
    (only ``kiosk users add`` on the server would help). The role is read from the row on
    every request, so the change applies to the account's open sessions at once."""
    if role not in ROLES:
        raise UserError("role", f"角色应为 {' / '.join(ROLES)} (unknown role)")
    if role == user.role:
        return False
    if user.role == "admin" and user.disabled_at is None and active_admins(session) <= 1:
        raise UserError("role", "这是最后一个启用的管理员账户，不能改为其他角色；请先让另一个账户成为管理员")
    before = user.role
    user.role = role
    session.add(AuditLog(actor=(actor or "?")[:100], action="update", object_type="user",
                         object_id=str(user.id), before={"role": before},
                         after={"name": user.name, "role": role}))
    return True


def unlock(session: Session, user: User, *, actor: str) -> None:
    user.failed_logins = 0
    user.locked_until = None
    _audit(session, actor, "unlock", user, name=user.name)


def reset_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Set a new password (policy of ``services.users``); also clears a lock, and ends the
    account's open sessions (see :func:`session_fingerprint`)."""
    check_password_policy(password)
    user.password_hash = generate_password_hash(password, "scrypt")
    user.failed_logins = 0
    user.locked_until = None
    _audit(session, actor, "reset_password", user, name=user.name)


def change_own_password(session: Session, user: User, old: str, new: str) -> None:
    if not check_password_hash(user.password_hash, old or ""):
        raise UserError("old_password", "当前密码不正确")
    if old == new:
        raise UserError("password", "新密码不能与当前密码相同")
    check_password_policy(new)
    user.password_hash = generate_password_hash(new, "scrypt")
    _audit(session, user.name, "change_password", user, name=user.name)


# -- API tokens ----------------------------------------------------------------------------
def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                         ApiToken.created_at.desc())))


def revoke_token(session: Session, token: ApiToken, *, actor: str, now: datetime | None = None) -> bool:
    """Revoke a token; returns False when it was already revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now or current_time()
    session.add(AuditLog(actor=actor[:100], action="revoke", object_type="api_token",
                         object_id=str(token.id), after={"user": token.user.name, "label": token.label}))
    return True
