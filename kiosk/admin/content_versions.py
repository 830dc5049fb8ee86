"""Per-item history (field-by-field diffs), draft actions and rollback. The layout preview
of a version is in :mod:`kiosk.admin.content_preview`."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..services import accounts, review
from ..services.review_apply import live_row
from . import bp
from .auth import role_required
from .content import EDIT_ROLES, LISTS, tz


def version_or_redirect(version_id: int):
    v = review.get_version(db.session, version_id)
    if v is None:
        flash("没有找到这个版本。", "error")
    return v


def _back(v) -> str:
    return url_for("admin.content_history", object_type=v.object_type, code=v.object_key)


@bp.get("/content/<any(guide, notice, ticker, bundle, playlist):object_type>/<code>/history")
@role_required(*EDIT_ROLES)
def content_history(object_type: str, code: str):
    hist = review.history(db.session, object_type, code, tz())
    row = live_row(db.session, object_type, code)
    if not hist and row is None:
        flash("没有找到这项内容。", "error")
        return redirect(url_for(LISTS[object_type]))
    current = review.base_snapshot(db.session, hist[0][0]) if hist else None
    pending_diff = {}
    names = review.ref_names(db.session, object_type)
    for v, _ in hist:
        if v.state in ("draft", "submitted", "approved"):
            pending_diff[v.id] = review.diff(current, v.data, object_type, tz(), names)
    title = (hist[0][0].data.get("name") or hist[0][0].data.get("title") or hist[0][0].data.get("text")
             if hist else getattr(row, "name", None) or getattr(row, "title", None) or getattr(row, "text", "")) or code
    return render_template("admin/content_history.html", object_type=object_type, code=code,
                           history=hist, row=row, title=title, pending_diff=pending_diff,
                           type_label=review.TYPE_LABELS[object_type], states=review.STATE_LABELS,
                           kinds=review.KIND_LABELS, list_endpoint=LISTS[object_type],
                           can_review=current_user.role in review.REVIEW_ROLES)


def _transition(version_id: int, fn, ok: str, *, publish: bool = False):
    v = version_or_redirect(version_id)
    if v is None:
        return redirect(url_for("admin.content_guides"))
    try:
        result = fn(v)
    except review.ReviewError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(_back(v))
    db.session.commit()
    flash(ok, "success")
    target = result if hasattr(result, "object_key") else v
    return redirect(_back(target))


@bp.post("/content/versions/<int:version_id>/submit")
@role_required(*EDIT_ROLES)
def content_version_submit(version_id: int):
    return _transition(version_id, lambda v: review.submit(db.session, v, current_user.name,
                                                           accounts.current_time()),
                       "已提交审核，审核通过后才会在屏幕上显示。")


@bp.post("/content/versions/<int:version_id>/discard")
@role_required(*EDIT_ROLES)
def content_version_discard(version_id: int):
    return _transition(version_id, lambda v: review.discard(db.session, v, current_user.name,
                                                            accounts.current_time()), "草稿已放弃。")


@bp.post("/content/versions/<int:version_id>/rollback")
@role_required(*EDIT_ROLES)
def content_version_rollback(version_id: int):
    return _transition(version_id, lambda v: review.rollback(db.session, v, current_user.name,
                                                             accounts.current_time()),
                       "已按旧版本生成新的草稿。请检查后提交审核，审核通过才会生效。")
