"""Per-item history (field-by-field diffs), draft actions, rollback and the layout preview."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..extensions import db
from ..services import accounts, layouts, review
from ..services.qr import guide_url, qr_svg
from ..services.review_apply import build_transient, live_row
from ..services.slides import slide_env
from . import bp
from .auth import role_required
from .content import EDIT_ROLES, LISTS, tz

PREVIEW_KINDS = ("guide", "notice", "bundle")  # kinds that are a slide of their own
PREVIEW_WIDTH = 960  # CSS pixels the preview frame takes on the panel page
SLIDE_CSP = ("default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data: http: https:; font-src 'self'; object-src 'none'; "
             "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def _version_or_redirect(version_id: int):
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
    v = _version_or_redirect(version_id)
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


# -- preview -----------------------------------------------------------------------------------
def _layout():
    names = layouts.available(current_app.config["LAYOUTS_DIR"])
    name = request.args.get("layout") or ("led_wall" if "led_wall" in names else (names or [""])[0])
    if name not in names:
        abort(404)
    return names, layouts.load_layout(current_app.config["LAYOUTS_DIR"], name)


def render_preview_slide(v, layout) -> str:
    """The version's slide exactly as ``SlideRenderer`` would render it, from an unsaved object."""
    app = current_app._get_current_object()
    env = slide_env(app, layout)
    if v.object_type not in PREVIEW_KINDS:
        return ""
    obj = build_transient(db.session, v.object_type, v.data)
    common = {"layout": layout, "hall_name": app.config.get("HALL_NAME", "政务服务中心"), "page": 1, "pages": 1}
    try:
        if v.object_type == "guide":
            url = guide_url(app.config["PUBLIC_BASE_URL"], obj.code)
            return env.get_template("slides/guide.html").render(
                guide=obj, url=url, qr_svg=Markup(qr_svg(url)), **common)
        if v.object_type == "notice":
            return env.get_template("slides/notice.html").render(notice=obj, **common)
        if v.object_type == "bundle":
            return env.get_template("slides/bundle.html").render(
                bundle=obj, materials=obj.merged_materials(), **common)
        return ""
    finally:
        db.session.rollback()  # nothing of the preview is ever written


@bp.get("/content/versions/<int:version_id>/preview")
@role_required(*EDIT_ROLES)
def content_version_preview(version_id: int):
    v = _version_or_redirect(version_id)
    if v is None:
        return redirect(url_for("admin.content_guides"))
    names, layout = _layout()
    scale = min(1.0, PREVIEW_WIDTH / layout["width"])
    return render_template("admin/content_preview.html", v=v, names=names, layout=layout,
                           width=round(layout["width"] * scale), height=round(layout["height"] * scale),
                           type_label=review.TYPE_LABELS[v.object_type], states=review.STATE_LABELS)


@bp.get("/content/versions/<int:version_id>/slide")
@role_required(*EDIT_ROLES)
def content_version_slide(version_id: int):
    """The framed document: the stage at the layout's pixel size, scaled to the frame."""
    v = _version_or_redirect(version_id)
    if v is None:
        return redirect(url_for("admin.content_guides"))
    _, layout = _layout()
    html = render_preview_slide(v, layout)
    scale = min(1.0, PREVIEW_WIDTH / layout["width"])
    body = render_template("admin/content_slide.html", v=v, layout=layout, html=Markup(html),
                           scale=scale, hall_name=current_app.config.get("HALL_NAME", "政务服务中心"))
    response = current_app.make_response(body)
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = SLIDE_CSP
    return response
