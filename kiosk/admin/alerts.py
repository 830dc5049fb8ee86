"""Emergency alerts (紧急通知): compose with a preview of the screen's own markup, send in one
click, see which screens acknowledged it, cancel. Admins and reviewers send and cancel;
every role may look. Posting goes through :mod:`kiosk.services.alerts` (the same code as the
JSON API), which calls the publisher.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import IntegerField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..extensions import db
from ..models import ALERT_LEVELS, Alert, ScreenGroup
from ..services import alerts as alert_service
from ..services import layouts
from ..services.publish import get_publisher
from . import bp, nav_item
from .auth import STAFF, role_required
from .forms import choice

SEND_ROLES = ("admin", "reviewer")
MAX_MINUTES = 7 * 24 * 60
PREVIEW_WIDTH = 640
FRAME_CSP = ("default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'none'; "
             "form-action 'none'; frame-ancestors 'self'")
LEVEL_HELP = {"info": "蓝色横幅，一般提示", "warning": "黄色横幅，需要注意",
              "critical": "红色整屏，遮住全部内容"}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AlertForm(FlaskForm):
    text = TextAreaField("通知内容", description="最多 500 个字，屏幕上原样显示")
    level = RadioField("级别", default="warning",
                       choices=[choice(k, f"{alert_service.LEVEL_LABELS[k]}（{LEVEL_HELP[k]}）")
                                for k in ALERT_LEVELS], validate_choice=False)
    groups = CheckboxesField("发送到哪些屏幕分组", description="都不勾选 = 全部屏幕", validate_choice=False)
    expires = IntegerField("显示多少分钟", description="留空 = 一直显示，直到手动撤销",
                           validators=[Optional(),
                                       NumberRange(1, MAX_MINUTES, message=f"请填写 1 到 {MAX_MINUTES} 之间的分钟数")])

    def validate_text(self, field) -> None:
        text = " ".join((field.data or "").split())
        if not text:
            raise ValidationError("请填写通知内容")
        if len(text) > 500:
            raise ValidationError("通知内容最多 500 个字")
        field.data = text

    def validate_level(self, field) -> None:
        if field.data not in ALERT_LEVELS:
            raise ValidationError("请选择级别")

    def validate_groups(self, field) -> None:
        known = set(_groups())
        unknown = [g for g in field.data or [] if g not in known]
        if unknown:
            raise ValidationError(f"分组不存在：{'、'.join(unknown[:5])}")


def _groups() -> list[str]:
    return list(db.session.scalars(select(ScreenGroup.name).order_by(ScreenGroup.name)))


def _page(form: AlertForm, status: int = 200, preview: bool = False):
    publisher = get_publisher(current_app)
    rows = []
    for alert in alert_service.active_alerts(db.session):
        acks = alert_service.acknowledgements(db.session, publisher, alert)
        rows.append({"alert": alert, "acks": acks, "done": sum(a.acknowledged for a in acks)})
    frame, frame_w, frame_h = None, PREVIEW_WIDTH, PREVIEW_WIDTH * 9 // 16
    if preview and form.text.data and form.level.data in ALERT_LEVELS:
        frame = url_for("admin.alert_frame", text=form.text.data, level=form.level.data)
        layout = _preview_layout()
        scale = min(1.0, PREVIEW_WIDTH / layout["width"])
        frame_w, frame_h = round(layout["width"] * scale), round(layout["height"] * scale)
    return render_template("admin/alerts.html", form=form, rows=rows, frame=frame,
                           frame_w=frame_w, frame_h=frame_h,
                           can_send=current_user.role in SEND_ROLES,
                           labels=alert_service.LEVEL_LABELS), status


def _preview_layout() -> dict:
    names = layouts.available(current_app.config["LAYOUTS_DIR"])
    name = "led_wall" if "led_wall" in names else (names or [""])[0]
    return layouts.load_layout(current_app.config["LAYOUTS_DIR"], name)


def _form() -> AlertForm:
    form = AlertForm()
    form.groups.choices = [choice(g, g) for g in _groups()]
    return form


@bp.get("/alerts")
@role_required(*STAFF)
def alerts():
    return _page(_form())


@bp.post("/alerts")
@role_required(*SEND_ROLES)
def alert_send():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 400)
    if request.form.get("action") == "preview":
        return _page(form, preview=True)
    alert = alert_service.create_alert(
        db.session, get_publisher(current_app), text=form.text.data, level=form.level.data,
        groups=sorted(set(form.groups.data or [])),
        expires_in=form.expires.data * 60 if form.expires.data else None,
        actor=current_user.name, user_id=current_user.user.id)
    flash(f"已发送{alert_service.LEVEL_LABELS[alert.level]}通知：{alert.text}", "success")
    return redirect(url_for("admin.alerts"))


@bp.post("/alerts/<int:alert_id>/cancel")
@role_required(*SEND_ROLES)
def alert_cancel(alert_id: int):
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        flash("没有找到这条通知。", "error")
    elif alert_service.cancel_alert(db.session, get_publisher(current_app), alert, actor=current_user.name):
        flash(f"已撤销通知：{alert.text}", "success")
    else:
        flash("这条通知已撤销。", "info")
    return redirect(url_for("admin.alerts"))


@bp.get("/alerts/frame")
@role_required(*STAFF)
def alert_frame():
    """The framed preview: the screen's alert markup and stylesheet on a scaled stage."""
    level = request.args.get("level", "warning")
    if level not in ALERT_LEVELS:
        abort(404)
    text = " ".join(request.args.get("text", "").split())[:500]
    layout = _preview_layout()
    main = next((r for r in layout["regions"] if r["name"] == "main"), None)
    scale = min(1.0, PREVIEW_WIDTH / layout["width"])
    body = render_template("admin/alerts_frame.html", layout=layout, main=main, text=text, level=level,
                           scale=scale, hall_name=current_app.config.get("HALL_NAME", "政务服务中心"))
    response = current_app.make_response(body)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = FRAME_CSP
    return response


nav_item("admin.alerts", "紧急通知", STAFF, order=15, prefix="admin.alert")
