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


def json_body(max_bytes: int | None = None) -> dict:
    """The request's JSON object, or a 400 that says the body must be one.

    ``max_bytes`` refuses a larger body with 413 before it is read or parsed: a kiosk's token
    is on a public device, and the app-wide limit (64 MB, for staff uploads) is far too much
    for a few fields of JSON. A body without a Content-Length is cut off at the same size
    while it is read."""
    from flask import request
    from werkzeug.exceptions import RequestEntityTooLarge

    if max_bytes is not None:
        too_large = ApiError(413, "body_too_large", f"请求体不能超过 {max_bytes // 1024} KB "
                             f"(body larger than {max_bytes} bytes)", "body")
        if request.content_length is not None and request.content_length > max_bytes:
            raise too_large
        request.max_content_length = max_bytes
        try:
            body = request.get_json(silent=True)
        except RequestEntityTooLarge:
            raise too_large from None
    else:
        body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "请求体应为 JSON 对象 (body must be a JSON object)", "body")
    return body
