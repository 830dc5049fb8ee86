"""Schedule (排期): a week grid per screen group from the screens' own resolver, with
conflicts and gaps highlighted; create / edit / delete entries (admins and editors); and
"这块屏在某时刻显示什么". Every role may look.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TimeField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..extensions import db
from ..models import AuditLog, Playlist, ScheduleEntry, Screen, ScreenGroup, utcnow
from ..services import schedule_review, schedule_view
from ..services.publish import get_publisher
from ..services.publish_rights import APPROVER_ROLES, ApprovalError, publishes_directly
from ..services.state import load_rows
from . import bp, nav_item
from .alerts import CheckboxesField
from .auth import STAFF, role_required
from .forms import choice

EDIT_ROLES = ("admin", "editor")


class EntryForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired(message="请填写名称"), Length(max=100, message="最多 100 个字符")])
    playlist = SelectField("播放列表", validate_choice=False)
    groups = CheckboxesField("屏幕分组", description="都不勾选 = 全部分组", validate_choice=False)
    start_date = DateField("开始日期", description="留空 = 不限", validators=[Optional()])
    end_date = DateField("结束日期（含）", description="留空 = 不限", validators=[Optional()])
    weekdays = CheckboxesField("星期", coerce=int, validate_choice=False,
                               choices=[choice(i + 1, f"周{d}") for i, d in enumerate(schedule_view.WEEKDAY_LABELS)])
    start_time = TimeField("开始时间", validators=[InputRequired(message="请填写开始时间，如 08:30")])
    end_time = TimeField("结束时间", description="早于或等于开始时间表示跨过午夜；两者相同表示全天",
                         validators=[InputRequired(message="请填写结束时间，如 17:30")])
    priority = IntegerField("优先级", default=0, description="数字大的优先；同时生效时只播放优先的一条",
                            validators=[InputRequired(message="请填写优先级（整数）"),
                                        NumberRange(-1000, 1000, message="请填写 -1000 到 1000 之间的整数")])
    takeover = BooleanField("临时接管（如闭厅），高于所有普通排期")
    enabled = BooleanField("启用", default=True)

    def __init__(self, *args, entry_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry_id = entry_id
        self.playlist_names = list(db.session.scalars(select(Playlist.name).order_by(Playlist.name)))
        self.group_names = _groups()
        self.playlist.choices = [choice("", "（请选择）")] + [choice(n, n) for n in self.playlist_names]
        self.groups.choices = [choice(g, g) for g in self.group_names]

    def validate_name(self, field) -> None:
        field.data = (field.data or "").strip()
        other = db.session.scalar(select(ScheduleEntry.id).where(ScheduleEntry.name == field.data))
        if other is not None and other != self.entry_id:
            raise ValidationError("已有同名的排期，请换一个名称")

    def validate_playlist(self, field) -> None:
        if not field.data or field.data not in self.playlist_names:
            raise ValidationError("请选择播放列表")

    def validate_groups(self, field) -> None:
        unknown = [g for g in field.data or [] if g not in self.group_names]
        if unknown:
            raise ValidationError(f"分组不存在：{'、'.join(unknown[:5])}")

    def validate_weekdays(self, field) -> None:
        if not field.data or any(d not in range(1, 8) for d in field.data):
            raise ValidationError("请至少选择一天")

    def validate_end_date(self, field) -> None:
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError("结束日期不能早于开始日期")


def _groups() -> list[str]:
    return list(db.session.scalars(select(ScreenGroup.name).order_by(ScreenGroup.name)))


_entry_json = schedule_review.entry_json


def _form_values(form: EntryForm) -> dict:
    """The form as ``entry_json`` values (what a proposal stores)."""
    return {"name": form.name.data, "playlist": form.playlist.data,
            "groups": sorted(set(form.groups.data or [])),
            "start_date": form.start_date.data.isoformat() if form.start_date.data else None,
            "end_date": form.end_date.data.isoformat() if form.end_date.data else None,
            "weekdays": sorted(set(form.weekdays.data)),
            "start_time": form.start_time.data.strftime("%H:%M"),
            "end_time": form.end_time.data.strftime("%H:%M"),
            "priority": form.priority.data, "takeover": bool(form.takeover.data),
            "enabled": bool(form.enabled.data)}


def _direct() -> bool:
    return publishes_directly(current_user.role, current_app.config)


_WAITS = "已提交审核：审核人员通过后才会在屏幕上生效。"


def _publish(*group_lists: list[str]) -> None:
    groups: set[str] = set()
    for lst in group_lists:
        if not lst:
            get_publisher(current_app).changed(None)
            return
        groups.update(lst)
    get_publisher(current_app).changed(sorted(groups))


def _local_now() -> datetime:
    return utcnow().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).replace(tzinfo=None)


@bp.get("/schedule")
@role_required(*STAFF)
def schedule():
    groups = _groups()
    group = request.args.get("group") or (groups[0] if groups else "")
    today = _local_now().date()
    try:
        start = date.fromisoformat(request.args.get("start", "")) if request.args.get("start") else today
    except ValueError:
        start = today
    rows = load_rows(db.session, current_app.config["TIMEZONE"])
    week = schedule_view.week(rows, group, start) if group in groups else None
    entries = db.session.scalars(select(ScheduleEntry).options(selectinload(ScheduleEntry.playlist))
                                 .order_by(ScheduleEntry.takeover.desc(), ScheduleEntry.priority.desc(),
                                           ScheduleEntry.name)).all()
    screens = db.session.scalars(select(Screen).where(Screen.revoked_at.is_(None))
                                 .options(selectinload(Screen.group)).order_by(Screen.name).limit(1000)).all()
    answer, ask_error = None, None
    screen_id, at_text = request.args.get("screen", ""), request.args.get("at", "")
    if screen_id or at_text:
        screen = db.session.get(Screen, int(screen_id)) if screen_id.isdigit() else None
        try:
            at = datetime.fromisoformat(at_text)
        except ValueError:
            at = None
        if screen is None:
            ask_error = "请选择屏幕"
        elif at is None or at.tzinfo is not None:
            ask_error = "请填写日期和时间，如 2026-12-01T09:30"
        else:
            answer = schedule_view.what_shows(db.session, rows, screen, at)
    return render_template("admin/schedule.html", groups=groups, group=group, week=week, start=start,
                           prev=start - timedelta(days=7), next=start + timedelta(days=7),
                           entries=entries, screens=screens, screen_id=screen_id,
                           at_text=at_text or _local_now().strftime("%Y-%m-%dT%H:%M"),
                           answer=answer, ask_error=ask_error, modes=schedule_view.MODE_LABELS,
                           weekdays=schedule_view.WEEKDAY_LABELS, can_edit=current_user.role in EDIT_ROLES,
                           can_approve=current_user.role in APPROVER_ROLES)


def _fill(entry: ScheduleEntry, form: EntryForm) -> None:
    schedule_review.apply_values(db.session, entry, _form_values(form))


@bp.route("/schedule/new", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def schedule_new():
    form = EntryForm()
    if request.method == "GET":
        form.weekdays.data = [1, 2, 3, 4, 5]
    if form.validate_on_submit() and not _direct():
        entry = schedule_review.propose_create(db.session, _form_values(form), current_user.name, utcnow())
        db.session.commit()
        flash(f"已新建排期“{entry.name}”。{_WAITS}", "success")
        return redirect(url_for("admin.schedule"))
    if form.validate_on_submit():
        entry = ScheduleEntry()
        _fill(entry, form)
        db.session.add(entry)
        db.session.flush()
        db.session.add(AuditLog(actor=current_user.name, action="create", object_type="schedule_entry",
                                object_id=str(entry.id), after=_entry_json(entry)))
        db.session.commit()
        _publish(entry.groups)
        flash(f"已新建排期“{entry.name}”，屏幕已更新。", "success")
        return redirect(url_for("admin.schedule"))
    return render_template("admin/schedule_form.html", form=form, entry=None), 400 if form.is_submitted() else 200


@bp.route("/schedule/<int:entry_id>/edit", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def schedule_edit(entry_id: int):
    entry = db.session.get(ScheduleEntry, entry_id)
    if entry is None:
        flash("没有找到这条排期。", "error")
        return redirect(url_for("admin.schedule"))
    form = EntryForm(entry_id=entry.id)
    if request.method == "GET":
        form.process(data={**_entry_json(entry), "start_date": entry.start_date, "end_date": entry.end_date,
                           "start_time": entry.start_time, "end_time": entry.end_time})
        form.playlist.data = entry.playlist.name if entry.playlist else ""
    if form.validate_on_submit() and not _direct():
        schedule_review.propose(db.session, entry, "update", _form_values(form), current_user.name, utcnow())
        db.session.commit()
        flash(f"已保存对排期“{entry.name}”的修改。{_WAITS}", "success")
        return redirect(url_for("admin.schedule"))
    if form.validate_on_submit():
        before, old_groups = _entry_json(entry), list(entry.groups or [])
        _fill(entry, form)
        db.session.add(AuditLog(actor=current_user.name, action="update", object_type="schedule_entry",
                                object_id=str(entry.id), before=before, after=_entry_json(entry)))
        db.session.commit()
        _publish(old_groups, entry.groups)
        flash(f"已保存排期“{entry.name}”，屏幕已更新。", "success")
        return redirect(url_for("admin.schedule"))
    return render_template("admin/schedule_form.html", form=form, entry=entry), 400 if form.is_submitted() else 200


@bp.post("/schedule/<int:entry_id>/delete")
@role_required(*EDIT_ROLES)
def schedule_delete(entry_id: int):
    entry = db.session.get(ScheduleEntry, entry_id)
    if entry is None:
        flash("没有找到这条排期。", "error")
        return redirect(url_for("admin.schedule"))
    if not _direct():
        name = entry.name
        schedule_review.propose(db.session, entry, "delete", None, current_user.name, utcnow())
        db.session.commit()
        flash(f"已申请删除排期“{name}”。{_WAITS}", "success")
        return redirect(url_for("admin.schedule"))
    before, groups = _entry_json(entry), list(entry.groups or [])
    db.session.add(AuditLog(actor=current_user.name, action="delete", object_type="schedule_entry",
                            object_id=str(entry.id), before=before))
    db.session.delete(entry)
    db.session.commit()
    _publish(groups)
    flash(f"已删除排期“{before['name']}”，屏幕已更新。", "success")
    return redirect(url_for("admin.schedule"))


def _decide(entry_id: int, approve: bool):
    """通过 or 退回 an editor's proposal (services/schedule_review.py)."""
    entry = db.session.get(ScheduleEntry, entry_id)
    if entry is None:
        flash("没有找到这条排期。", "error")
        return redirect(url_for("admin.schedule"))
    name = entry.name
    try:
        if approve:
            groups = schedule_review.approve(db.session, entry, current_user.name, current_user.role)
        else:
            schedule_review.reject(db.session, entry, current_user.name, current_user.role,
                                   request.form.get("reason", ""))
    except ApprovalError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("admin.schedule"))
    db.session.commit()
    if approve:
        _publish(groups)
        flash(f"已通过排期“{name}”的修改，屏幕已更新。", "success")
    else:
        flash(f"已退回排期“{name}”的修改，屏幕不变。", "success")
    return redirect(url_for("admin.schedule"))


@bp.post("/schedule/<int:entry_id>/approve")
@role_required(*APPROVER_ROLES)
def schedule_approve(entry_id: int):
    return _decide(entry_id, approve=True)


@bp.post("/schedule/<int:entry_id>/reject")
@role_required(*APPROVER_ROLES)
def schedule_reject(entry_id: int):
    return _decide(entry_id, approve=False)


nav_item("admin.schedule", "排期", STAFF, order=25, prefix="admin.schedule")
