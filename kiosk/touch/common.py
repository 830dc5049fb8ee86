"""What every touch endpoint shares: the kiosk screen named by the token in the URL."""

from __future__ import annotations

from ..errors import ApiError
from ..extensions import db
from ..models import Screen
from ..services import screens as screen_service


def kiosk_screen(token: str) -> Screen:
    """The kiosk whose token this is; 404 for an unknown or revoked token and for a screen of
    another kind (an LED wall's token must not become a way to post ratings)."""
    screen = screen_service.by_token(db.session, token)
    if screen is None or screen.revoked_at is not None or screen.kind != "kiosk":
        raise ApiError(404, "not_found", "自助终端不存在 (no such kiosk)")
    return screen


def json_body() -> dict:
    """The request's JSON object, or a 400 that says the body must be one."""
    from flask import request

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "请求体应为 JSON 对象 (body must be a JSON object)", "body")
    return body
