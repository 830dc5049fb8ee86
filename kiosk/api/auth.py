"""Bearer-token authentication and role checks for the JSON API."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request

from ..errors import ApiError
from ..extensions import db
from ..services.users import user_for_token


def require_role(*roles: str) -> Callable:
    """Only a valid bearer token of a user with one of ``roles`` gets through."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError(401, "unauthorized", "需要 API 令牌 (Authorization: Bearer <token>)")
            user = user_for_token(db.session, token.strip())
            if user is None:
                raise ApiError(401, "unauthorized", "API 令牌无效或已撤销 (invalid or revoked token)")
            if user.role not in roles:
                raise ApiError(403, "forbidden", f"角色 {user.role} 无权执行此操作 (role not allowed)")
            g.api_user = user
            db.session.commit()  # last_used_at
            return view(*args, **kwargs)

        return wrapper

    return decorator


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "请求体必须是 JSON 对象 (body must be a JSON object)")
    return data
