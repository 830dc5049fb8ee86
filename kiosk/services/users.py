"""Staff accounts and API tokens (no request objects: the CLI, API and panel share this)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ROLES, ApiToken, AuditLog, User, utcnow
from .security.passwords import PolicyError, check_password, check_policy, hash_password


class UserError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def check_password_policy(password: str, user_name: str | None = None) -> None:
    """At least 10 characters mixing letters and digits and not guessable (zxcvbn, with the
    account name and the hall's words as context): ``services/security/passwords.py``."""
    try:
        check_policy(password, user_name=user_name)
    except PolicyError as err:
        raise UserError("password", err.message) from None


def add_user(session: Session, name: str, role: str, password: str, *, actor: str) -> User:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise UserError("name", "用户名不能为空，最多 64 个字符 (name required)")
    if role not in ROLES:
        raise UserError("role", f"角色应为 {' / '.join(ROLES)} (unknown role)")
    if session.scalar(select(User).where(User.name == name)):
        raise UserError("name", f"用户 {name} 已存在 (user exists)")
    check_password_policy(password, name)
    user = User(name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    session.add(AuditLog(actor=actor, action="create", object_type="user", object_id=str(user.id),
                         after={"name": name, "role": role}))
    return user


def verify_password(user: User, password: str) -> bool:
    return check_password(user.password_hash, password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user_name: str, *, label: str = "", actor: str,
                 days: int | None = None) -> tuple[ApiToken, str]:
    """A new bearer token for ``user_name``; the plain token is returned once, never stored.
    ``days``: it stops working that many days from now (None or 0: until revoked)."""
    if days is not None and not 0 <= days <= 3650:
        raise UserError("days", "有效期应为 0–3650 天 (days must be 0–3650; 0 = no expiry)")
    user = session.scalar(select(User).where(User.name == user_name))
    if user is None:
        raise UserError("user", f"用户 {user_name} 不存在 (no such user)")
    plain = "kt_" + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=days) if days else None
    token = ApiToken(user_id=user.id, token_hash=hash_token(plain), label=label, expires_at=expires)
    session.add(token)
    session.flush()
    session.add(AuditLog(actor=actor, action="create", object_type="api_token", object_id=str(token.id),
                         after={"user": user.name, "label": label,
                                "expires_at": expires.isoformat() if expires else None}))
    return token, plain


def user_for_token(session: Session, plain: str) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    user = token.user
    if user.disabled_at is not None:
        return None
    token.last_used_at = utcnow()
    return user
