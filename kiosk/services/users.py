"""Staff accounts and API tokens (no request objects: the CLI, API and panel share this)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import ROLES, ApiToken, AuditLog, User, utcnow

MIN_PASSWORD = 10


class UserError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def check_password_policy(password: str) -> None:
    """At least 10 characters mixing letters and digits: long enough to resist guessing,
    simple enough for hall staff to remember without writing it on the monitor."""
    if len(password) < MIN_PASSWORD:
        raise UserError("password", f"密码至少 {MIN_PASSWORD} 位 (password needs ≥{MIN_PASSWORD} characters)")
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise UserError("password", "密码须同时包含字母和数字 (password needs letters and digits)")


def add_user(session: Session, name: str, role: str, password: str, *, actor: str) -> User:
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise UserError("name", "用户名不能为空，最多 64 个字符 (name required)")
    if role not in ROLES:
        raise UserError("role", f"角色应为 {' / '.join(ROLES)} (unknown role)")
    if session.scalar(select(User).where(User.name == name)):
        raise UserError("name", f"用户 {name} 已存在 (user exists)")
    check_password_policy(password)
    user = User(name=name, role=role, password_hash=generate_password_hash(password, "scrypt"))
    session.add(user)
    session.flush()
    session.add(AuditLog(actor=actor, action="create", object_type="user", object_id=str(user.id),
                         after={"name": name, "role": role}))
    return user


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user_name: str, *, label: str = "", actor: str) -> tuple[ApiToken, str]:
    """A new bearer token for ``user_name``; the plain token is returned once, never stored."""
    user = session.scalar(select(User).where(User.name == user_name))
    if user is None:
        raise UserError("user", f"用户 {user_name} 不存在 (no such user)")
    plain = "kt_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=hash_token(plain), label=label)
    session.add(token)
    session.flush()
    session.add(AuditLog(actor=actor, action="create", object_type="api_token", object_id=str(token.id),
                         after={"user": user.name, "label": label}))
    return token, plain


def user_for_token(session: Session, plain: str) -> User | None:
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    if user.disabled_at is not None:
        return None
    token.last_used_at = utcnow()
    return user
