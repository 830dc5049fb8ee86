"""Screens over the API: list (staff) and create (admins)."""

from __future__ import annotations

from flask import current_app, jsonify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import ApiError
from ..extensions import db
from ..models import Screen
from ..services import screens as screen_service
from ..services.publish import get_publisher
from . import bp
from .auth import json_body, require_role


@bp.get("/screens")
@require_role("admin", "reviewer", "editor", "viewer")
def list_screens():
    screens = db.session.scalars(
        select(Screen).options(selectinload(Screen.group)).order_by(Screen.id)
    ).all()
    presence = get_publisher(current_app).presence
    out = []
    for s in screens:
        item = screen_service.screen_json(s)
        item["online"] = item["online"] or presence.is_connected(s.id)
        out.append(item)
    return jsonify({"count": len(out), "screens": out})


@bp.post("/screens")
@require_role("admin")
def create_screen():
    data = json_body()
    for field in ("name", "group", "kind"):
        if not isinstance(data.get(field), str):
            raise ApiError(400, "invalid_field", f"缺少字段 {field} 或类型错误 (string required)", field)
    layout = data.get("layout")
    if layout is not None and not isinstance(layout, str):
        raise ApiError(400, "invalid_field", "layout 必须是字符串 (string required)", "layout")
    try:
        [screen] = screen_service.add_screens(
            db.session,
            screen_service.NewScreen(data["name"], data["group"], data["kind"], layout),
            layouts_dir=current_app.config["LAYOUTS_DIR"],
            actor=f"api:{_user_name()}",
        )
        db.session.commit()
    except screen_service.ScreenError as err:
        db.session.rollback()
        raise ApiError(400 if err.field != "name" or "已存在" not in err.message else 409,
                       "invalid_field", err.message, err.field) from None
    body = screen_service.screen_json(screen, with_token=True)
    body["url"] = f"{current_app.config['PUBLIC_BASE_URL']}/screen/{screen.token}"
    return jsonify(body), 201


def _user_name() -> str:
    from flask import g

    return g.api_user.name
