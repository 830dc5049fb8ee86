"""The review queue (审核): reviewers and admins approve or reject submitted versions."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..services import accounts, review
from ..services.publish import get_publisher
from . import bp, nav_item
from .auth import role_required
from .content import tz

REVIEW_ROLES = ("reviewer", "admin")


def _queue_page(errors: dict[int, str] | None = None, reasons: dict[int, str] | None = None, status=200):
    items = []
    names: dict[str, dict[str, str]] = {}  # reference labels, read once per kind
    for v in review.queue(db.session):
        if v.object_type not in names:
            names[v.object_type] = review.ref_names(db.session, v.object_type)
        items.append((v, review.diff(review.base_snapshot(db.session, v), v.data, v.object_type, tz(),
                                     names[v.object_type])))
    return render_template("admin/review.html", items=items, errors=errors or {}, reasons=reasons or {},
                           type_labels=review.TYPE_LABELS, kinds=review.KIND_LABELS), status


@bp.get("/review")
@role_required(*REVIEW_ROLES)
def review_queue():
    return _queue_page()


@bp.post("/review/<int:version_id>/approve")
@role_required(*REVIEW_ROLES)
def review_approve(version_id: int):
    v = review.get_version(db.session, version_id)
    if v is None:
        flash("没有找到这个版本。", "error")
        return redirect(url_for("admin.review_queue"))
    try:
        live = review.approve(db.session, v, current_user.name, current_user.role, accounts.current_time())
    except review.ReviewError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("admin.review_queue"))
    db.session.commit()
    if live:
        get_publisher(current_app).changed()
        flash(f"已通过并发布：{v.data.get('name') or v.data.get('title') or v.data.get('text') or v.object_key}", "success")
    else:
        flash("已通过，将在生效时间自动发布。", "success")
    return redirect(url_for("admin.review_queue"))


@bp.post("/review/<int:version_id>/reject")
@role_required(*REVIEW_ROLES)
def review_reject(version_id: int):
    v = review.get_version(db.session, version_id)
    if v is None:
        flash("没有找到这个版本。", "error")
        return redirect(url_for("admin.review_queue"))
    reason = request.form.get("reason", "")
    try:
        review.reject(db.session, v, current_user.name, current_user.role, reason, accounts.current_time())
    except review.ReviewError as err:
        db.session.rollback()
        if v.state == "submitted" and current_user.name != v.author:
            return _queue_page({v.id: err.message}, {v.id: reason}, 400)
        flash(err.message, "error")
        return redirect(url_for("admin.review_queue"))
    db.session.commit()
    flash("已退回，编辑会看到退回原因。", "success")
    return redirect(url_for("admin.review_queue"))


nav_item("admin.review_queue", "内容审核", REVIEW_ROLES, order=25, prefix="admin.review")
