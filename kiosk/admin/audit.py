"""The audit log page (审计日志): search by who, what, which object and when; export as CSV.

Who may open it: **admin and reviewer**. Reviewers do the spot checks (抽查) of other
people's work that the bureau asks for, so they need to trace every change; editors and
viewers do not, and the log holds what is not theirs to read (other staff's sign-in
failures and IP addresses). Both roles see the same rows. Exporting is itself recorded
(``audit_export``), because the file leaves the panel with those addresses in it.

The search form is a GET form (bookmarkable, nothing changes, so no CSRF token); dates are
days in the hall's time zone. A date that cannot be read is reported next to its field
with status 400 and no rows, rather than silently searching without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from wtforms import SelectField, StringField
from wtforms.validators import Length

from ..extensions import db
from ..services import accounts
from ..services import audit as audit_service
from ..services.audit_labels import action_label, changes, type_label
from . import bp, nav_item
from .auth import role_required
from .forms import choice

AUDIT_ROLES = ("admin", "reviewer")
DATE_HINT = "格式：年-月-日，例如 2026-11-28"
FILTER_FIELDS = ("actor", "object_type", "object_text", "action", "date_from", "date_to")


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET search: nothing to forge

    actor = StringField("操作人", description="用户名的全部或一部分；系统任务为 system",
                        validators=[Length(max=100, message="最多 100 个字符")])
    object_type = SelectField("对象类型", validate_choice=False)
    object_text = StringField("对象", description="数字按编号精确查找；其他文字在对象编号和变更内容中查找",
                              validators=[Length(max=100, message="最多 100 个字符")])
    action = SelectField("操作", validate_choice=False)
    date_from = StringField("开始日期", description="含当天（大厅所在时区）", render_kw={"type": "date"})
    date_to = StringField("结束日期", description="含当天", render_kw={"type": "date"})


def _parse_day(field) -> date | None:
    raw = (field.data or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.replace("/", "-"))
    except ValueError:
        field.errors = [*field.errors, f"无法识别的日期“{raw[:20]}”，{DATE_HINT}"]
        return None


def _search_form() -> tuple[AuditSearchForm, audit_service.AuditFilter | None]:
    """The form filled from the query string, and the filter (None when a value is refused)."""
    form = AuditSearchForm(request.args)
    actions, types = audit_service.choices(db.session)
    if form.action.data and form.action.data not in actions:  # a value from a link stays selectable
        actions.append(form.action.data)
    if form.object_type.data and form.object_type.data not in types:
        types.append(form.object_type.data)
    form.action.choices = [choice("", "全部操作")] + [
        choice(a, f"{action_label(a)}（{a}）" if action_label(a) != a else a) for a in actions]
    form.object_type.choices = [choice("", "全部类型")] + [choice(t, type_label(t)) for t in types]
    form.validate()
    day_from, day_to = _parse_day(form.date_from), _parse_day(form.date_to)
    if day_from and day_to and day_to < day_from:
        form.date_to.errors.append("结束日期不能早于开始日期")
    if any(f.errors for f in form):
        return form, None
    return form, audit_service.AuditFilter(
        actor=(form.actor.data or "").strip(), object_type=form.object_type.data or "",
        object_text=(form.object_text.data or "").strip(), action=form.action.data or "",
        date_from=day_from, date_to=day_to)


def _query_args() -> dict[str, str]:
    """The filters of this request, for pagination and export links (empty ones left out)."""
    return {k: v for k in FILTER_FIELDS for v in [request.args.get(k, "").strip()] if v}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _stream(engine: Engine, filters: audit_service.AuditFilter, tz: ZoneInfo) -> Iterator[str]:
    """The CSV lines, read through a session of their own: the download goes on after the view
    has returned, and must not depend on (or keep alive) the request's context and session."""
    with Session(engine) as session:
        yield from audit_service.csv_lines(session, filters, tz)


@bp.get("/audit")
@role_required(*AUDIT_ROLES)
def audit():
    form, filters = _search_form()
    if filters is None:
        return render_template("admin/audit.html", form=form, page=None, rows=[], args=_query_args()), 400
    tz = _tz()
    page = audit_service.search(db.session, filters, tz, page=_page_number())
    rows = [(row, changes(row.before, row.after, tz, row.object_type)) for row in page.rows]
    return render_template("admin/audit.html", form=form, page=page, rows=rows, args=_query_args(),
                           action_label=action_label, type_label=type_label,
                           retention_days=current_app.config["AUDIT_RETENTION_DAYS"])


@bp.get("/audit.csv")
@role_required(*AUDIT_ROLES)
def audit_csv():
    """The rows of the same search as a CSV download, streamed (a year of rows fits no page)."""
    form, filters = _search_form()
    if filters is None:
        return render_template("admin/audit.html", form=form, page=None, rows=[], args=_query_args()), 400
    audit_service.record_export(db.session, current_user.name, filters)
    db.session.commit()
    tz = _tz()
    stamp = accounts.current_time().astimezone(tz).strftime("%Y%m%d-%H%M")
    response = Response(_stream(db.engine, filters, tz), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response


nav_item("admin.audit", "审计日志", AUDIT_ROLES, order=88, prefix="admin.audit")
