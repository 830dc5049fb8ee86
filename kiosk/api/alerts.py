"""Emergency and service alerts: post one, every targeted screen shows it within seconds."""

from __future__ import annotations

from flask import current_app, g, jsonify
from sqlalchemy import select

from ..errors import ApiError
from ..extensions import db
from ..models import ALERT_LEVELS, Alert, ScreenGroup, utcnow
from ..services import alerts as alert_service
from ..services.alerts import alert_json
from ..services.publish import get_publisher
from . import bp
from .auth import json_body, require_role

MAX_EXPIRES = 7 * 24 * 3600


def _validate(data: dict) -> tuple[str, str, list[str], int | None]:
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "invalid_field", "告警内容不能为空 (text is required)", "text")
    text = " ".join(text.split())
    if len(text) > 500:
        raise ApiError(400, "invalid_field", "告警内容最多 500 个字符 (text too long)", "text")
    level = data.get("level", "warning")
    if level not in ALERT_LEVELS:
        raise ApiError(400, "invalid_field", f"级别应为 {' / '.join(ALERT_LEVELS)} (unknown level)", "level")
    groups = data.get("groups")
    if groups is None:
        groups = []
    elif not isinstance(groups, list) or not groups or not all(isinstance(x, str) for x in groups):
        raise ApiError(400, "invalid_field", "groups 应为非空的分组名称列表，或省略表示全部 (list of group names)", "groups")
    else:
        known = set(db.session.scalars(select(ScreenGroup.name).where(ScreenGroup.name.in_(groups))))
        unknown = [x for x in groups if x not in known]
        if unknown:
            raise ApiError(400, "invalid_field", f"分组不存在: {', '.join(unknown[:5])} (unknown group)", "groups")
    expires_in = data.get("expires_in")
    if expires_in is not None and (
        isinstance(expires_in, bool) or not isinstance(expires_in, int) or not 1 <= expires_in <= MAX_EXPIRES
    ):
        raise ApiError(400, "invalid_field", f"expires_in 应为 1 到 {MAX_EXPIRES} 之间的秒数 (seconds)", "expires_in")
    return text, level, sorted(set(groups)), expires_in


@bp.post("/alerts")
@require_role("admin", "reviewer")
def create_alert():
    text, level, groups, expires_in = _validate(json_body())
    alert = alert_service.create_alert(
        db.session, get_publisher(current_app), text=text, level=level, groups=groups,
        expires_in=expires_in, actor=g.api_user.name, user_id=g.api_user.id,
    )
    return jsonify(alert_json(alert)), 201


@bp.get("/alerts")
@require_role("admin", "reviewer", "editor", "viewer")
def list_alerts():
    now = utcnow()
    alerts = db.session.scalars(
        select(Alert).where(Alert.cancelled_at.is_(None)).order_by(Alert.id.desc())
    ).all()
    active = [a for a in alerts if a.expires_at is None or a.expires_at > now]
    return jsonify({"alerts": [alert_json(a) for a in active]})


@bp.delete("/alerts/<int:alert_id>")
@require_role("admin", "reviewer")
def cancel_alert(alert_id: int):
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise ApiError(404, "not_found", f"告警 {alert_id} 不存在 (no such alert)")
    alert_service.cancel_alert(db.session, get_publisher(current_app), alert, actor=g.api_user.name)
    return jsonify(alert_json(alert))
