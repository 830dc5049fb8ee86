"""Staff sign-in and account administration (no request objects: the panel passes plain values).

Wrong passwords are counted per (client address, name) by :mod:`.security.throttle`: the
client that made the mistakes is slowed down (1, 2, 4 … 15 minutes), the owner signing in from
elsewhere is not. While a client is locked out of a name, even the right password from it is
refused, and nothing is hashed. Names without an account get exactly the same answers (a dummy
hash is checked so the answer takes as long), so the login page never tells whether a user
name exists. Every hash runs off the event loop (:mod:`.security.passwords`).

Panel sessions are rows (:class:`StaffSession`): the cookie holds a random id, and signing
out, a new password, disabling the account or a new role end them on the server.

Nothing here commits: the caller commits once per request, as elsewhere in ``services``.
Every sign-in, refusal, lockout, sign-out and account change writes an :class:`AuditLog` row.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..models import ROLES, ApiToken, AuditLog, StaffSession, User, utcnow
from .clock import from_the_future
from .security import throttle
from .security.passwords import check_password, hash_password
from .users import UserError, check_password_policy

MAX_FAILURES = throttle.MAX_FAILURES
log = logging.getLogger(__name__)
LOCK_MINUTES = int(throttle.MAX_LOCK.total_seconds() // 60)



@cache
def _dummy_hash() -> str:
    """Checked when the name is unknown, so that every answer costs one scrypt. Made at the
    first sign-in, not at import: every ``kiosk`` command would otherwise pay 100 ms for it."""
    return generate_password_hash("not-a-real-password-0", "scrypt")


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
) -> LoginResult:
    """Check a sign-in attempt from client address ``ip``, count a failure, and audit it."""
    now = now or current_time()
    name = (name or "").strip()[:64]
    client = (ip or "?")[:64]
    user = session.scalar(select(User).where(User.name == name)) if name else None
    until = throttle.locked_until(session, client, name, now)
    if until is not None:
        _audit(session, name, "login_refused", user, reason="locked", ip=ip)
        return LoginResult("locked", user=user, locked_until=until)

    right = check_password(user.password_hash if user is not None else _dummy_hash(), password)
    if user is not None and right:
        if user.disabled_at is not None:
            _audit(session, user.name, "login_refused", user, reason="disabled", ip=ip)
            return LoginResult("disabled", user=user)
        throttle.record_success(session, client, name)
        _audit(session, user.name, "login", user, ip=ip)
        return LoginResult("ok", user=user)

    failure = throttle.record_failure(session, client, name, now)
    if failure.locked_until is not None:
        _audit(session, name, "lockout", user, reason=None if user else "unknown_user",
               failures=failure.failures, locked_until=failure.locked_until.isoformat(), ip=ip)
        return LoginResult("locked", user=user, locked_until=failure.locked_until)
    _audit(session, name, "login_failed", user, reason="password" if user else "unknown_user", ip=ip)
    return LoginResult("invalid", user=user, attempts_left=failure.attempts_left)


# -- server-side sessions ---------------------------------------------------------------------
def start_session(session: Session, user: User, *, client: str | None = None) -> str:
    """A new panel session for ``user``; returns the id the cookie carries."""
    sid = secrets.token_urlsafe(32)
    session.add(StaffSession(id=sid, user_id=user.id, client=(client or "")[:64] or None,
                             created_at=current_time()))
    return sid


SESSION_HOURS = 12  # a shift: after that, sign in again even if the panel was in use


def session_user(session: Session, sid: str) -> User | None:
    """The enabled user of a live session, or None (revoked, unknown, older than
    ``SESSION_HOURS``, started "in the future" — the clock went back since, and its age is
    unknown, so a backward jump never lengthens a session — or the account disabled)."""
    row = session.get(StaffSession, sid) if sid else None
    if row is None or row.revoked_at is not None:
        return None
    now = current_time()
    if now - row.created_at > timedelta(hours=SESSION_HOURS) or from_the_future(row.created_at, now):
        return None
    user = session.get(User, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return user


def end_session(session: Session, sid: str, reason: str = "logout") -> None:
    session.execute(update(StaffSession).where(StaffSession.id == sid, StaffSession.revoked_at.is_(None))
                    .values(revoked_at=current_time(), revoked_reason=reason))


def end_sessions(session: Session, user: User, reason: str) -> int:
    """End every open session of ``user`` (new password, disabled, new role)."""
    result = session.execute(update(StaffSession)
                             .where(StaffSession.user_id == user.id, StaffSession.revoked_at.is_(None))
                             .values(revoked_at=current_time(), revoked_reason=reason))
    return result.rowcount or 0


def record_logout(session: Session, user: User, *, reason: str = "logout", ip: str | None = None) -> None:
    """``reason`` is ``logout`` (the button) or ``idle`` (the session ran out)."""
    _audit(session, user.name, "logout", user, reason=reason, ip=ip)


def prune_security(session: Session, now: datetime | None = None) -> tuple[int, int]:
    """Forget old login-throttle counts and sessions that can no longer be used."""
    now = now or current_time()
    counts = throttle.prune(session, now)
    sessions = session.execute(delete(StaffSession).where(
        StaffSession.created_at < now - timedelta(hours=2 * SESSION_HOURS))).rowcount or 0
    return counts, sessions


def prune_security_job(app) -> None:
    """Scheduler job ``security-prune`` (kiosk/jobs.py)."""
    from ..extensions import db

    with app.app_context():
        try:
            counts, sessions = prune_security(db.session)
            db.session.commit()
            log.info("security-prune: %d login counts, %d old sessions forgotten", counts, sessions)
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


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
        end_sessions(session, user, "disabled")
        _audit(session, actor, "disable", user, name=user.name)
    elif not disabled and user.disabled_at is not None:
        user.disabled_at = None
        _audit(session, actor, "enable", user, name=user.name)


def set_role(session: Session, user: User, role: str, *, actor: str) -> bool:
    """Give an account another role; False when it already has it.

    The last enabled admin keeps the role: without one nobody could manage accounts any more
    (only ``kiosk users add`` on the server would help). The account's open sessions end:
    whoever holds the new role signs in again, so a stolen cookie never gains a role."""
    if role not in ROLES:
        raise UserError("role", f"角色应为 {' / '.join(ROLES)} (unknown role)")
    if role == user.role:
        return False
    if user.role == "admin" and user.disabled_at is None and active_admins(session) <= 1:
        raise UserError("role", "这是最后一个启用的管理员账户，不能改为其他角色；请先让另一个账户成为管理员")
    before = user.role
    user.role = role
    end_sessions(session, user, "role_changed")
    session.add(AuditLog(actor=(actor or "?")[:100], action="update", object_type="user",
                         object_id=str(user.id), before={"role": before},
                         after={"name": user.name, "role": role}))
    return True


def unlock(session: Session, user: User, *, actor: str) -> None:
    """Every client address may try this account again at once (the 解锁 button)."""
    cleared = throttle.unlock(session, user.name)
    _audit(session, actor, "unlock", user, name=user.name, clients=cleared)


def lock_summaries(session: Session) -> dict[str, throttle.Summary]:
    return throttle.summaries(session, current_time())


def reset_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Set a new password (policy of ``services.users``); also clears the account's locks,
    and ends its open sessions."""
    check_password_policy(password, user.name)
    user.password_hash = hash_password(password)
    throttle.unlock(session, user.name)
    end_sessions(session, user, "password_reset")
    _audit(session, actor, "reset_password", user, name=user.name)


def change_own_password(session: Session, user: User, old: str, new: str) -> None:
    """A new password of one's own; ends every session of the account (the caller starts a
    fresh one for the browser that changed it)."""
    if not check_password(user.password_hash, old or ""):
        raise UserError("old_password", "当前密码不正确")
    if old == new:
        raise UserError("password", "新密码不能与当前密码相同")
    check_password_policy(new, user.name)
    user.password_hash = hash_password(new)
    end_sessions(session, user, "password_changed")
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
