"""Screens (屏幕管理): the list with live status (all staff), pairing a new device by its
code and revoke / rename / move / reload / identify (admins).

Live updates come over the ``/staff`` Socket.IO namespace (kiosk/realtime/staff.py,
static/admin/live.js); without script the page is a plain list. Events to a screen go
through the publisher (the one emitter): a display token only ever *receives*.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..extensions import db
from ..models import (
    DEFAULT_IDLE_SECONDS,
    DEFAULT_LAYOUTS,
    IDLE_SECONDS_RANGE,
    KINDS,
    AuditLog,
    Screen,
    ScreenGroup,
    utcnow,
)
from ..services import accounts, layouts, pairing
from ..services import screens as screen_service
from ..services.publish import get_publisher
from . import bp, nav_item
from .auth import STAFF, role_required
from .forms import choice, plain_chinese
from .views import KIND_LABELS, is_online, readable_items

LIMITER = "kiosk.pairing_limiter"
LIST_LIMIT = 500


def _required(what: str) -> DataRequired:
    return DataRequired(message=f"请填写{what}")


class PairForm(FlaskForm):
    code = StringField("配对码", description="屏幕上显示的 6 位数字",
                       validators=[_required("配对码"), Length(max=20, message="配对码应为 6 位数字")])
    name = StringField("屏幕名称", description="例如：一楼大厅LED、3号窗口",
                       validators=[_required("屏幕名称"), Length(max=90, message="最多 90 个字符")])
    group = StringField("分组", description="同一分组的屏幕播放相同内容；输入新名称即新建分组",
                        validators=[_required("分组"), Length(max=64, message="最多 64 个字符")])
    kind = SelectField("屏幕类型", choices=[choice(k, KIND_LABELS.get(k, k)) for k in KINDS],
                       validate_choice=False)
    layout = SelectField("版式", description="留空则使用该类型的默认版式", validate_choice=False)

    def validate_code(self, field) -> None:
        if pairing.normalise_code(field.data) is None:
            raise ValidationError("配对码应为 6 位数字")

    def validate_kind(self, field) -> None:
        if field.data not in KINDS:
            raise ValidationError("请选择屏幕类型")


IDLE_LOW, IDLE_HIGH = IDLE_SECONDS_RANGE


class EditForm(FlaskForm):
    name = StringField("屏幕名称", validators=[_required("屏幕名称"), Length(max=90, message="最多 90 个字符")])
    group = StringField("分组", description="移到另一分组后，屏幕会自动刷新并播放该分组的内容",
                        validators=[_required("分组"), Length(max=64, message="最多 64 个字符")])
    # kiosks only (the template shows it, the view reads it, for kind kiosk)
    idle_seconds = StringField(
        "空闲返回时间（秒）",
        description=f"多久无人触摸后回到轮播，{IDLE_LOW} 到 {IDLE_HIGH} 秒；留空 = {DEFAULT_IDLE_SECONDS} 秒")

    def idle_value(self) -> int | None:
        """The idle timeout typed, None for empty (the default); a wrong value adds an error."""
        raw = unicodedata.normalize("NFKC", self.idle_seconds.data or "").strip()  # ６０ is 60
        if not raw:
            return None
        if raw.isascii() and raw.isdigit() and IDLE_LOW <= int(raw) <= IDLE_HIGH:
            return int(raw)
        self.idle_seconds.errors = [*self.idle_seconds.errors,
                                    f"请填写 {IDLE_LOW} 到 {IDLE_HIGH} 之间的整数秒数，或留空"]
        return None


def _limiter() -> pairing.ClaimLimiter:
    return current_app.extensions.setdefault(LIMITER, pairing.ClaimLimiter())


def _groups() -> list[str]:
    return list(db.session.scalars(select(ScreenGroup.name).order_by(ScreenGroup.name)))


def _screen_or_404(screen_id: int) -> Screen:
    screen = db.session.get(Screen, screen_id)
    if screen is None:
        abort(404)
    return screen


def _audit(action: str, screen: Screen, before=None, after=None) -> None:
    db.session.add(AuditLog(actor=current_user.name, action=action, object_type="screen",
                            object_id=str(screen.id), before=before, after=after))


# -- the list -----------------------------------------------------------------------------------
@bp.get("/screens")
@role_required(*STAFF)
def screens():
    now = accounts.current_time()
    presence = get_publisher(current_app).presence
    fresh = timedelta(seconds=max(60, 3 * int(current_app.config.get("HEARTBEAT_SECONDS", 15))))
    rows = db.session.scalars(
        select(Screen).options(selectinload(Screen.group))
        .order_by(Screen.revoked_at.is_not(None), Screen.name).limit(LIST_LIMIT)
    ).all()
    names = readable_items({s.showing for s in rows if s.showing})
    items = []
    for s in rows:
        base, _, part = (s.showing or "").partition("#")
        title = names.get(base, base)
        items.append({
            "screen": s,
            "online": s.revoked_at is None and is_online(s, presence.is_connected(s.id), now, fresh),
            "showing": f"{title}（{part}）" if part and title else title,
        })
    return render_template("admin/screens.html", rows=items, kind_labels=KIND_LABELS,
                           is_admin=current_user.role == "admin", limit=LIST_LIMIT)


# -- pairing ------------------------------------------------------------------------------------
@bp.route("/screens/pair", methods=["GET", "POST"])
@role_required("admin")
def screen_pair():
    form = PairForm()
    available = layouts.available(current_app.config["LAYOUTS_DIR"])
    form.layout.choices = [choice("", "（默认）")] + [choice(name, name) for name in available]
    limiter, who = _limiter(), f"user:{current_user.id}"
    status = 200
    if form.is_submitted():
        wait = limiter.blocked_for(who)
        if wait:
            form.validate()
            form.code.errors = [f"配对码错误次数过多，请 {wait // 60 + 1} 分钟后再试"]
            return render_template("admin/screens_pair.html", form=form, groups=_groups()), 429
    if form.validate_on_submit():
        spec = screen_service.NewScreen(
            name=form.name.data.strip(), group=form.group.data.strip(), kind=form.kind.data,
            layout=form.layout.data or DEFAULT_LAYOUTS.get(form.kind.data))
        try:
            screen = pairing.claim(db.session, form.code.data, spec,
                                   layouts_dir=current_app.config["LAYOUTS_DIR"], actor=current_user.name)
        except pairing.PairingError as err:
            db.session.rollback()
            left = limiter.failed(who)
            message = plain_chinese(err.message)
            form.code.errors = [message + (f"（还可尝试 {left} 次）" if left else "（错误次数过多，请稍后再试）")]
        except pairing.ScreenError as err:
            db.session.rollback()
            field = getattr(form, err.field, form.name)
            field.errors = [*field.errors, plain_chinese(err.message)]
        else:
            db.session.commit()
            limiter.reset(who)
            flash(f"屏幕“{screen.name}”已配对，几秒钟内将开始播放。", "success")
            return redirect(url_for("admin.screens"))
    if any(f.errors for f in form):
        status = 400
    return render_template("admin/screens_pair.html", form=form, groups=_groups()), status


# -- actions on one screen ------------------------------------------------------------------------
@bp.route("/screens/<int:screen_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def screen_edit(screen_id: int):
    screen = _screen_or_404(screen_id)
    kiosk = screen.kind == "kiosk"
    form = EditForm(data={"name": screen.name, "group": screen.group.name,
                          "idle_seconds": "" if screen.idle_seconds is None else str(screen.idle_seconds)})
    if screen.revoked_at is None and form.validate_on_submit():
        name, group = form.name.data.strip(), form.group.data.strip()
        before = {"name": screen.name, "group": screen.group.name}
        after = {"name": name, "group": group}
        if kiosk:
            before["idle_seconds"], after["idle_seconds"] = screen.idle_seconds, form.idle_value()
        taken = db.session.scalar(select(Screen.id).where(Screen.name == name, Screen.id != screen.id))
        if taken:
            form.name.errors = [*form.name.errors, "屏幕名称已存在"]
        if any(f.errors for f in form):
            pass  # shown next to their fields below
        elif before != after:
            screen.name = name
            screen.group = screen_service.get_or_create_group(db.session, group)
            if kiosk:
                screen.idle_seconds = after["idle_seconds"]
            _audit("update", screen, before, after)
            db.session.commit()
            # The page reconnects and joins its new group's room with the new state; a kiosk
            # reads its idle timeout when the page loads.
            get_publisher(current_app).send_to_screen(screen, "reload", {})
            flash(f"屏幕“{name}”已保存，屏幕将自动刷新。", "success")
            return redirect(url_for("admin.screens"))
        else:
            return redirect(url_for("admin.screens"))
    status = 400 if any(f.errors for f in form) else 200
    return render_template("admin/screens_edit.html", form=form, screen=screen, groups=_groups()), status


@bp.post("/screens/<int:screen_id>/revoke")
@role_required("admin")
def screen_revoke(screen_id: int):
    screen = _screen_or_404(screen_id)
    if screen.revoked_at is not None:
        flash("该屏幕此前已停用。", "info")
        return redirect(url_for("admin.screens"))
    screen.revoked_at = utcnow()
    screen.online = False
    _audit("revoke", screen, {"revoked_at": None}, {"revoked_at": screen.revoked_at.isoformat()})
    db.session.commit()
    get_publisher(current_app).disconnect_screen(screen.id)
    flash(f"屏幕“{screen.name}”已停用，它的地址立即失效。", "success")
    return redirect(url_for("admin.screens"))


def _send(screen_id: int, event: str, payload: dict, done: str):
    screen = _screen_or_404(screen_id)
    if screen.revoked_at is not None:
        flash("该屏幕已停用。", "error")
        return redirect(url_for("admin.screens"))
    _audit(event, screen, after=payload or None)
    db.session.commit()
    get_publisher(current_app).send_to_screen(screen, event, payload)
    flash(done.format(name=screen.name), "success")
    return redirect(url_for("admin.screens"))


@bp.post("/screens/<int:screen_id>/reload")
@role_required("admin")
def screen_reload(screen_id: int):
    return _send(screen_id, "reload", {}, "已通知屏幕“{name}”刷新页面。")


@bp.post("/screens/<int:screen_id>/identify")
@role_required("admin")
def screen_identify(screen_id: int):
    screen = _screen_or_404(screen_id)
    return _send(screen_id, "identify", {"name": screen.name, "seconds": 10},
                 "屏幕“{name}”将全屏显示自己的名称 10 秒。")


nav_item("admin.screens", "屏幕管理", STAFF, order=30, prefix="admin.screen")
