"""Content editing (办事指南, 通知公告, 滚动字幕): every save is a draft version; nothing here
writes a live row. Publishing happens only through the review queue (``content_review.py``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Department, Guide, Notice, ScreenGroup, TickerLine
from ..services import accounts, review
from ..services.importer.parsers import (
    AUDIENCES,
    CASE_TYPES,
    ITEM_TYPES,
    MATERIAL_FORMS,
    NECESSITIES,
    SCOPES,
)
from ..services.review_apply import live_row, snapshot_of
from ..services.review_attachments import StagedUploads
from ..services.review_validate import (
    NOTICE_KIND_LABELS,
    guide_snapshot,
    notice_snapshot,
    ticker_snapshot,
    to_json,
)
from . import bp, nav_item
from .auth import role_required
from .content_materials import MaterialUploads, materials_from_request

EDIT_ROLES = ("editor", "reviewer", "admin")
LISTS = {"guide": "admin.content_guides", "notice": "admin.content_notices", "ticker": "admin.content_ticker"}
TEMPLATES = {"guide": "admin/content_guide_form.html", "notice": "admin/content_notice_form.html",
             "ticker": "admin/content_ticker_form.html"}
CHOICES = {"item_types": ITEM_TYPES, "case_types": CASE_TYPES, "scopes": SCOPES,
           "audiences": AUDIENCES, "forms": MATERIAL_FORMS, "necessities": NECESSITIES,
           "notice_kinds": NOTICE_KIND_LABELS}


@dataclass(frozen=True)
class KindForm:
    """What :func:`edit_view` needs to edit one more kind (bundles, playlists: see
    ``content_bundles.py``), so every kind shares one save / submit / error flow."""

    read: Callable[[], dict[str, Any]]  # the request's rows -> part of the raw form
    validate: Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, str]]]
    values: Callable[[dict[str, Any]], dict[str, Any]]  # snapshot -> form values
    blank: Callable[[], dict[str, Any]]  # a new item's form
    context: Callable[[dict[str, Any]], dict[str, Any]]  # extra template context


KIND_FORMS: dict[str, KindForm] = {}


def register_kind(object_type: str, list_endpoint: str, template: str, form: KindForm) -> None:
    LISTS[object_type], TEMPLATES[object_type], KIND_FORMS[object_type] = list_endpoint, template, form


def tz() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _local(value: Any) -> str:
    """A stored ISO datetime as the value of a ``datetime-local`` input."""
    if not value:
        return ""
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return dt.astimezone(tz()).strftime("%Y-%m-%dT%H:%M")


def form_values(object_type: str, snap: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the strings the form shows."""
    values = {k: ("" if v is None else v) for k, v in snap.items()}
    values["publish_from"], values["expire_at"] = _local(snap.get("publish_from")), _local(snap.get("expire_at"))
    if object_type == "guide":
        values["process"] = "\n".join(snap.get("process") or [])
        values["themes"] = "、".join(snap.get("themes") or [])
        values["aliases"] = "、".join(snap.get("aliases") or [])
        values["faq"] = "\n".join(f"{f['q']} | {f['a']}" for f in snap.get("faq") or [])
        values["audience"] = list(snap.get("audience") or [])
        values["online"] = "1" if snap.get("online") else ""
        values["materials"] = [{k: ("" if v is None else v) for k, v in m.items()}
                               for m in snap.get("materials") or []]
    elif object_type == "notice":
        values["body"] = snap.get("body_html") or ""
    elif object_type == "ticker":
        values["groups"] = "、".join(snap.get("groups") or [])
    elif object_type in KIND_FORMS:
        values.update(KIND_FORMS[object_type].values(snap))
    return values


def raw_from_request(object_type: str, upload_errors: dict[str, str],
                     uploads: MaterialUploads | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if object_type == "guide":
        raw["audience"] = request.form.getlist("audience")
        raw["online"] = request.form.get("online", "")
        raw["materials"] = materials_from_request(
            upload_errors, uploads or MaterialUploads(StagedUploads(current_app.config["DATA_DIR"])))
    elif object_type in KIND_FORMS:
        raw.update(KIND_FORMS[object_type].read())
    return raw


def validate(object_type: str, raw: dict[str, Any]):
    if object_type in KIND_FORMS:
        return KIND_FORMS[object_type].validate(raw)
    if object_type == "guide":
        depts = set(db.session.scalars(select(Department.code)))
        return guide_snapshot(raw, tz(), depts)
    if object_type == "notice":
        return notice_snapshot(raw, tz())
    return ticker_snapshot(raw, tz(), set(db.session.scalars(select(ScreenGroup.name))))


def _post(object_type: str, code: str | None, user: str, now: datetime, errors: dict[str, str],
          uploads: MaterialUploads) -> tuple[dict[str, Any], Any]:
    """Read and (for 保存 / 提交) write the posted form: ``(values to show, redirect or None)``.
    The uploaded files are kept only after the commit, so a refused form leaves none behind."""
    raw = raw_from_request(object_type, errors, uploads)
    if code:
        raw["code"] = code  # the code is the item's identity and cannot change
    action = request.form.get("action", "save")
    if action not in ("save", "submit"):  # other actions (add/move a row) only redraw the form
        return raw, None
    snap, more = validate(object_type, raw)
    errors.update(more)
    if errors:
        return raw, None
    try:
        v = review.save_draft(db.session, object_type, to_json(snap), user, now, new_item=code is None)
        if action == "submit":
            review.submit(db.session, v, user, now)
    except review.ReviewError as err:
        db.session.rollback()
        errors["code" if code is None else "_form"] = err.message
        return raw, None
    db.session.commit()
    uploads.kept()
    flash("已提交审核，审核通过后才会在屏幕上显示。" if action == "submit"
          else "草稿已保存（尚未提交审核）。", "success")
    return raw, redirect(url_for("admin.content_history", object_type=object_type, code=snap["code"]))


def edit_view(object_type: str, code: str | None):
    """New item (``code`` None) or a change to an existing one: save as draft, or save and submit."""
    now = accounts.current_time()
    user = current_user.name
    row = live_row(db.session, object_type, code) if code else None
    draft = review.open_draft(db.session, object_type, code, user) if code else None
    history = review.versions(db.session, object_type, code) if code else []
    rejected = history[0] if history and history[0].state == "rejected" else None
    if code and row is None and not history:
        flash("没有找到这项内容（可能尚未发布）。", "error")
        return redirect(url_for(LISTS[object_type]))
    errors: dict[str, str] = {}
    notes: dict[str, str] = {}  # next to a file input whose file was not kept
    status = 200
    if request.method == "POST":
        uploads = MaterialUploads(StagedUploads(current_app.config["DATA_DIR"]))
        try:
            values, done = _post(object_type, code, user, now, errors, uploads)
            if done is not None:
                return done
        finally:
            notes = uploads.refused()  # empty once the files were kept
        status = 400 if errors else 200
    elif draft is not None or rejected is not None:
        values = form_values(object_type, (draft or rejected).data)
    elif row is not None:
        values = form_values(object_type, snapshot_of(row, object_type))
    elif object_type in KIND_FORMS:
        values = KIND_FORMS[object_type].blank()
    else:
        values = {"materials": [], "audience": [], "fee": "不收费", "visits": "1", "kind": "notice"}
    if object_type == "guide" and not values.get("materials"):
        values["materials"] = []
    if errors and "_form" not in errors:
        flash(f"有 {len(errors)} 处需要修改，请看各栏下方的红字提示。", "error")
    elif "_form" in errors:
        flash(errors["_form"], "error")
    departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    return render_template(TEMPLATES[object_type], object_type=object_type, code=code, v=values,
                           errors=errors, notes=notes, draft=draft, rejected=rejected,
                           departments=departments,
                           **CHOICES, **(KIND_FORMS[object_type].context(values)
                                         if object_type in KIND_FORMS else {})), status


@bp.get("/content/guides")
@role_required(*EDIT_ROLES)
def content_guides():
    q = request.args.get("q", "").strip()[:100]
    stmt = select(Guide).options(selectinload(Guide.department)).order_by(Guide.name)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Guide.name.like(like), Guide.code.like(like), Guide.search_text.like(f"%{q.lower()}%")))
    guides = db.session.scalars(stmt.limit(300)).all()
    pending = review.pending(db.session, "guide")
    by_key: dict[str, list] = {}
    for v in pending:
        by_key.setdefault(v.object_key, []).append(v)
    live = {g.code for g in guides}
    new_items = [v for v in pending if v.kind == "create" and v.object_key not in live
                 and (not q or q in v.object_key or q in (v.data.get("name") or ""))]
    return render_template("admin/content_guides.html", guides=guides, pending=by_key,
                           new_items=new_items, q=q, states=review.STATE_LABELS)


@bp.route("/content/guides/new", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_guide_new():
    return edit_view("guide", None)


@bp.route("/content/guides/<code>/edit", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_guide_edit(code: str):
    return edit_view("guide", code)


def _simple_list(object_type: str, model, template: str):
    rows = db.session.scalars(select(model).order_by(model.code)).all()
    pending = review.pending(db.session, object_type)
    by_key: dict[str, list] = {}
    for v in pending:
        by_key.setdefault(v.object_key, []).append(v)
    live = {r.code for r in rows}
    new_items = [v for v in pending if v.kind == "create" and v.object_key not in live]
    return render_template(template, rows=rows, pending=by_key, new_items=new_items,
                           states=review.STATE_LABELS, kinds=NOTICE_KIND_LABELS)


@bp.get("/content/notices")
@role_required(*EDIT_ROLES)
def content_notices():
    return _simple_list("notice", Notice, "admin/content_notices.html")


@bp.route("/content/notices/new", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_notice_new():
    return edit_view("notice", None)


@bp.route("/content/notices/<code>/edit", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_notice_edit(code: str):
    return edit_view("notice", code)


@bp.get("/content/ticker")
@role_required(*EDIT_ROLES)
def content_ticker():
    return _simple_list("ticker", TickerLine, "admin/content_ticker.html")


@bp.route("/content/ticker/new", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_ticker_new():
    return edit_view("ticker", None)


@bp.route("/content/ticker/<code>/edit", methods=["GET", "POST"])
@role_required(*EDIT_ROLES)
def content_ticker_edit(code: str):
    return edit_view("ticker", code)


nav_item("admin.content_guides", "办事指南", EDIT_ROLES, order=20, prefix="admin.content_guide")
nav_item("admin.content_notices", "通知公告", EDIT_ROLES, order=21, prefix="admin.content_notice")
nav_item("admin.content_ticker", "滚动字幕", EDIT_ROLES, order=22, prefix="admin.content_ticker")
