"""需求分析 (demand): what citizens looked for at the kiosks, what they did not find, and the
step that fixes it — an unmet search mapped to the guide it meant, as an alias that goes
through review like every other change of a guide.

Who may do what: every staff role reads the page and the monthly report (aggregates only,
nothing personal: viewers exist to read); editors, reviewers and admins map a search to a
guide (a content change, so it is submitted for review and a second person approves it).

The filters are a GET form (bookmarkable, nothing changes, no CSRF token); days are local
days in the hall's time zone. A value that cannot be used is reported next to its field
with status 400 and no figures, never a 500 and never silently ignored.
"""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from wtforms import SelectField, StringField

from ..extensions import db
from ..models import PUBLISHED, ContentVersion, Guide, Screen
from ..services import accounts, periods, review
from ..services.demand import mapping, report, stats
from ..services.search import search
from ..services.touch.visits import MAX_QUERY
from . import bp, nav_item
from .auth import STAFF, role_required
from .forms import choice

MAP_ROLES = ("editor", "reviewer", "admin")
REVIEW_ROLES = ("reviewer", "admin")
DATE_HINT = "格式：年-月-日，例如 2026-11-28"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GUIDE_LIST_LIMIT = 50


class DemandFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET filter: nothing to forge

    period = SelectField("统计周期", default="month", validate_choice=False,
                         choices=[choice(k, periods.PERIOD_LABELS[k]) for k in periods.PERIOD_KINDS])
    date = StringField("日期", description="所选日、周（周一至周日）或月中的任意一天；空着为今天",
                       render_kw={"type": "date"})
    date_from = StringField("开始日期", description="选择“自定义”时填写，含当天", render_kw={"type": "date"})
    date_to = StringField("结束日期", description="含当天", render_kw={"type": "date"})
    screen = SelectField("自助查询机", validate_choice=False)


def _tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _today() -> date:
    return accounts.current_time().astimezone(_tz()).date()


def _parse_day(field, required: bool = False) -> date | None:
    raw = (field.data or "").strip()
    if not raw:
        if required:
            field.errors = [*field.errors, f"请填写{field.label.text}"]
        return None
    try:
        return date.fromisoformat(raw.replace("/", "-"))
    except ValueError:
        field.errors = [*field.errors, f"无法识别的日期“{raw[:20]}”，{DATE_HINT}"]
        return None


def kiosks() -> list[Screen]:
    """Every kiosk, also revoked ones: their past visits are still counted."""
    return list(db.session.scalars(select(Screen).where(Screen.kind == "kiosk").order_by(Screen.name)))


def _screen_id(form: DemandFilterForm, screens: list[Screen]) -> int | None:
    raw = (form.screen.data or "").strip()
    if not raw:
        return None
    known = {str(s.id): s.id for s in screens}
    if raw not in known:
        form.screen.errors = [*form.screen.errors, f"没有这台自助查询机（编号“{raw[:20]}”），请从列表中选择"]
        form.screen.choices.append(choice(raw, f"未知（{raw[:20]}）"))
        return None
    return known[raw]


def _filters() -> tuple[DemandFilterForm, periods.Period | None, int | None, list[Screen]]:
    """The form filled from the query string, the period and the kiosk (period None when a
    value is refused)."""
    form = DemandFilterForm(request.args)
    screens = kiosks()
    form.screen.choices = [choice("", "全部自助查询机")] + [
        choice(str(s.id), s.name + ("（已停用）" if s.revoked_at else "")) for s in screens]
    form.validate()
    screen_id = _screen_id(form, screens)
    period: periods.Period | None = None
    kind = form.period.data or "month"
    if kind not in periods.PERIOD_KINDS:
        form.period.errors = [*form.period.errors, "请选择日、周、月或自定义"]
    elif kind == "range":
        first, last = _parse_day(form.date_from, required=True), _parse_day(form.date_to, required=True)
        if first and last:
            try:
                period = periods.between(first, last)
            except ValueError as err:
                form.date_to.errors = [*form.date_to.errors, str(err)]
    else:
        day = _parse_day(form.date)
        if not form.date.errors:
            period = periods.period_of(kind, day or _today())
    if any(f.errors for f in form):
        return form, None, None, screens
    return form, period, screen_id, screens


def day_labels(period: periods.Period) -> list[str]:
    """Short labels under the daily bars: month/day for a week, the day number for longer."""
    days = period.days
    if len(days) <= 14:
        return [f"{d.month}/{d.day}" for d in days]
    return [f"{d.month}/{d.day}" if d.day == 1 or i == 0 else str(d.day) for i, d in enumerate(days)]


def _args() -> dict[str, str]:
    return {k: v for k in ("period", "date", "date_from", "date_to", "screen")
            for v in [request.args.get(k, "").strip()] if v}


@bp.get("/demand")
@role_required(*STAFF)
def demand():
    form, period, screen_id, screens = _filters()
    if period is None:
        return render_template("admin/demand.html", form=form, d=None, args=_args()), 400
    d = stats.demand(db.session, period, _tz(), screen_id=screen_id,
                     suggest=stats.engine_suggestions(db.session))
    return render_template("admin/demand.html", form=form, d=d, args=_args(), labels=day_labels(period),
                           kiosk_name=next((s.name for s in screens if s.id == screen_id), None),
                           can_map=current_user.role in MAP_ROLES)


# -- mapping an unmet search to a guide -----------------------------------------------------------
def _guides(name: str) -> tuple[list[Guide], int]:
    """Published guides whose name or code contains ``name`` (all when empty), by name."""
    stmt = select(Guide).where(Guide.status == PUBLISHED)
    if name:
        like = f"%{name}%"
        stmt = stmt.where(or_(Guide.name.like(like), Guide.code.like(like)))
    rows = list(db.session.scalars(stmt.order_by(Guide.name, Guide.code).limit(GUIDE_LIST_LIMIT + 1)))
    return rows[:GUIDE_LIST_LIMIT], len(rows)


def _done(version_id: str) -> ContentVersion | None:
    """The version a mapping just submitted (shown after the redirect), if it is one."""
    v = db.session.get(ContentVersion, int(version_id)) if version_id.isdigit() and len(version_id) < 10 else None
    return v if v is not None and v.object_type == "guide" else None


@bp.route("/demand/map", methods=["GET", "POST"])
@role_required(*MAP_ROLES)
def demand_map():
    source = request.form if request.method == "POST" else request.args
    q = (source.get("q") or "").strip()
    name = (request.args.get("name") or "").strip()
    chosen = (request.form.get("guide") or "").strip() if request.method == "POST" else ""
    errors: dict[str, str] = {}
    if len(q) > MAX_QUERY:
        errors["q"] = f"搜索词最多 {MAX_QUERY} 个字符（现在 {len(q)} 个）"
    if len(name) > 100:
        errors["name"] = f"事项名称最多 100 个字符（现在 {len(name)} 个）"
        name = ""
    if request.method == "POST" and not errors:
        try:
            v = mapping.map_search_to_guide(db.session, q, chosen, current_user.name, accounts.current_time())
        except mapping.MappingError as err:
            db.session.rollback()
            errors["q" if err.field == "query" else "guide"] = err.message
        else:
            db.session.commit()
            flash(f"已把“{q}”加为《{v.data.get('name')}》的事项俗称，并提交审核（第 {v.number} 版）。"
                  "审核通过后，搜索这个词才会找到该事项。", "success")
            return redirect(url_for("admin.demand_map", q=q, done=v.id))
    suggestions = search(q, limit=5) if q and "q" not in errors else []
    guides, found = _guides(name)
    done = _done(request.args.get("done", "")) if request.method == "GET" else None
    return render_template("admin/demand_map.html", q=q if "q" not in errors else q[:MAX_QUERY], name=name,
                           chosen=chosen, errors=errors, suggestions=suggestions, guides=guides,
                           more=found > len(guides), done=done, limit=GUIDE_LIST_LIMIT,
                           can_review=current_user.role in REVIEW_ROLES,
                           states=review.STATE_LABELS), 400 if errors else 200


# -- the monthly report -------------------------------------------------------------------------
def _report_period() -> tuple[str, periods.Period | None, str | None]:
    """``(month text, period, error)``; no month given = the last complete month."""
    raw = (request.args.get("month") or "").strip()
    if not raw:
        last = _today().replace(day=1) - timedelta(days=1)
        raw = f"{last.year}-{last.month:02d}"
    try:
        return raw, periods.parse_month(raw), None
    except ValueError as err:
        return raw[:20], None, str(err)


def _report_context(period: periods.Period) -> dict[str, Any]:
    d = stats.demand(db.session, period, _tz(), suggest=stats.engine_suggestions(db.session))
    return {"d": d, "labels": day_labels(period), "generated_at": accounts.current_time(),
            "hall": current_app.config.get("HALL_NAME") or "政务服务大厅"}


@bp.get("/demand/report")
@role_required(*STAFF)
def demand_report():
    month, period, error = _report_period()
    if period is None:
        return render_template("admin/demand_report.html", month=month, error=error, d=None), 400
    return render_template("admin/demand_report.html", month=month, error=None, **_report_context(period))


@bp.get("/demand/report.xlsx")
@role_required(*STAFF)
def demand_report_xlsx():
    """The same report as a workbook; each download is audited (``demand_export``)."""
    month, period, error = _report_period()
    if period is None:
        return render_template("admin/demand_report.html", month=month, error=error, d=None), 400
    ctx = _report_context(period)
    data = report.workbook(ctx["d"], hall_name=ctx["hall"], kiosk_name=None, generated_at=ctx["generated_at"],
                           tz=_tz())
    report.record_export(db.session, current_user.name, period)
    db.session.commit()
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"需求分析月报-{period.first:%Y-%m}.xlsx")


nav_item("admin.demand", "需求分析", STAFF, order=70, prefix="admin.demand")
