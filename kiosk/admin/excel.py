"""Excel import and export (导入导出) of 办事指南 and 好差评 statistics.

Flow: download the template (or an export), fill it in, upload it. The file is kept on the
server under a random key tied to the uploader (``services/excel/jobs.py`` says why) and
checked; the page then lists every mistake (sheet, row, column, message) — nothing is stored —
or what importing would change, with a confirm button. Only a clean, confirmed file is
imported, in one transaction, after a fresh check against the database as it is then.

Who may do what: every staff role may download templates and exports (guides and 好差评
figures are public on the screens anyway, and viewers exist to read); editors, reviewers and
admins import guides, which become versions submitted for review; admins and reviewers import
好差评 figures, which go live at once (they come from the national system) and republish.

Small files are checked within the upload request; larger ones (``EXCEL_BACKGROUND_BYTES``)
in a background task whose real progress (rows read / rows checked) the page polls.
"""

from __future__ import annotations

import logging
from datetime import datetime
from io import BytesIO

from flask import (
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from ..extensions import db, socketio
from ..services import accounts, review
from ..services.excel import ExcelFileError, Limits, evaluations, guides, workbook
from ..services.excel.jobs import PHASES, Jobs, check
from ..services.excel.outcome import ACTION_LABELS
from ..services.excel.refs import Departments
from ..services.publish import get_publisher
from . import bp, nav_item
from .auth import STAFF, forbidden_response, role_required
from .content import tz

log = logging.getLogger(__name__)
GUIDE_ROLES = ("editor", "reviewer", "admin")
EVALUATION_ROLES = ("reviewer", "admin")
UPLOAD_ROLES = ("editor", "reviewer", "admin")
KIND_ROLES = {"guides": GUIDE_ROLES, "evaluations": EVALUATION_ROLES}
TITLES = {"guides": "办事指南", "evaluations": "好差评统计"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def jobs() -> Jobs:
    return Jobs(current_app.config["DATA_DIR"])


def limits() -> Limits:
    cfg = current_app.config
    default = Limits()
    return Limits(max_bytes=int(cfg.get("EXCEL_MAX_BYTES", default.max_bytes)),
                  max_rows=int(cfg.get("EXCEL_MAX_ROWS", default.max_rows)))


def _xhr() -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _go(endpoint: str, **values):
    """Redirect; the upload script gets the address as JSON so the flash survives."""
    url = url_for(endpoint, **values)
    return jsonify(location=url) if _xhr() else redirect(url)


def _send(data: bytes, name: str):
    return send_file(BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _stamp() -> str:
    return datetime.now(tz()).strftime("%Y%m%d-%H%M")


def _can_upload(kind: str) -> bool:
    return current_user.role in KIND_ROLES[kind]


# -- downloads ----------------------------------------------------------------------------------
@bp.get("/import")
@role_required(*STAFF)
def import_index():
    store = jobs()
    store.cleanup()
    mine = []
    for key in store.mine(current_user.id):
        status = store.status(key, current_user.id)
        if status is not None:
            mine.append((key, status))
    return render_template("admin/import_index.html", titles=TITLES, can_upload=_can_upload,
                           pending=mine, phases=PHASES, limits=limits())


def _template(kind: str):
    data = workbook.build(kind, Departments(db.session).listing(), limits=limits())
    return _send(data, f"{TITLES[kind]}导入模板.xlsx")


def _export(kind: str):
    module = guides if kind == "guides" else evaluations
    rows = module.export_rows(db.session)
    data = workbook.build(kind, Departments(db.session).listing(), rows, limits=limits())
    return _send(data, f"{TITLES[kind]}导出-{_stamp()}.xlsx")


@bp.get("/import/guides/template.xlsx")
@role_required(*STAFF)
def import_guides_template():
    return _template("guides")


@bp.get("/import/guides/export.xlsx")
@role_required(*STAFF)
def import_guides_export():
    return _export("guides")


@bp.get("/import/evaluations/template.xlsx")
@role_required(*STAFF)
def import_evaluations_template():
    return _template("evaluations")


@bp.get("/import/evaluations/export.xlsx")
@role_required(*STAFF)
def import_evaluations_export():
    return _export("evaluations")


# -- upload and check ---------------------------------------------------------------------------
def _check_in_background(app: Flask, key: str, lim: Limits) -> None:
    with app.app_context():
        try:
            Jobs(app.config["DATA_DIR"]).process(key, db.session, tz(), lim, pause=lambda: socketio.sleep(0))
        finally:
            db.session.remove()


def _upload(kind: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(f"请选择要上传的{TITLES[kind]} .xlsx 文件。", "error")
        return _go("admin.import_index")
    lim = limits()
    store = jobs()
    try:
        key = store.create(current_user.id, current_user.name, kind, upload.filename, upload.stream, lim)
    except ExcelFileError as err:
        flash(f"“{upload.filename}”未导入：{err.message}", "error")
        return _go("admin.import_index")
    size = store.status(key, current_user.id)["size"]
    if size <= int(current_app.config.get("EXCEL_BACKGROUND_BYTES", 256 * 1024)):
        store.process(key, db.session, tz(), lim, pause=lambda: socketio.sleep(0))
    else:
        socketio.start_background_task(_check_in_background, current_app._get_current_object(), key, lim)
    return _go("admin.import_job", key=key)


@bp.post("/import/guides")
@role_required(*GUIDE_ROLES)
def import_guides_upload():
    return _upload("guides")


@bp.post("/import/evaluations")
@role_required(*EVALUATION_ROLES)
def import_evaluations_upload():
    return _upload("evaluations")


def _progress_text(status: dict) -> str:
    phase = PHASES.get(status["state"], "")
    if status["state"] == "reading":
        total = f" / 约 {status['total']} 行" if status.get("total") else ""
        return f"{phase}：已读 {status['done']} 行{total}"
    if status["state"] == "checking":
        return f"{phase}：已检查 {status['done']} / {status['total']} 个"
    return phase


def _expired():
    flash("这次上传已过期或不存在（上传后 2 小时内未确认会自动删除），请重新上传。", "error")
    return redirect(url_for("admin.import_index"))


@bp.get("/import/job/<key>")
@role_required(*UPLOAD_ROLES)
def import_job(key: str):
    store = jobs()
    status = store.status(key, current_user.id)
    if status is None:
        return _expired()
    kind = status["kind"]
    context = {"key": key, "status": status, "kind": kind, "title": TITLES[kind],
               "progress_text": _progress_text(status), "limits": limits(),
               "can_upload": _can_upload, "titles": TITLES, "actions": ACTION_LABELS}
    if status["state"] == "done":
        loaded = store.outcome(key)
        if loaded is None:
            return _expired()
        outcome = loaded[0]
        context.update(outcome=outcome, counts=outcome.counts, to_apply=outcome.to_apply())
    return render_template("admin/import_job.html", **context)


@bp.get("/import/job/<key>/status")
@role_required(*UPLOAD_ROLES)
def import_job_status(key: str):
    status = jobs().status(key, current_user.id)
    if status is None:
        return jsonify(state="missing")
    return jsonify(state=status["state"], done=status["done"], total=status["total"],
                   text=_progress_text(status))


@bp.post("/import/job/<key>/confirm")
@role_required(*UPLOAD_ROLES)
def import_job_confirm(key: str):
    store = jobs()
    status = store.status(key, current_user.id)
    if status is None:
        return _expired()
    kind = status["kind"]
    if not _can_upload(kind):
        return forbidden_response()
    loaded = store.outcome(key) if status["state"] == "done" else None
    if loaded is None or not loaded[0].ok:
        flash("文件尚未检查完或有错误，没有导入。", "error")
        return redirect(url_for("admin.import_job", key=key))
    # the database may have changed since the check: check again, then write in one go
    sheets = loaded[1]
    fresh = check(kind, db.session, sheets, tz(), current_user.name)
    if not fresh.ok:
        db.session.rollback()
        store.save_outcome(key, fresh, sheets)
        flash("检查之后系统中的内容有变化，文件现在有错误，没有导入。请看下方的错误列表。", "error")
        return redirect(url_for("admin.import_job", key=key))
    try:
        if kind == "guides":
            counts = guides.apply(db.session, fresh, current_user.name, accounts.current_time(), status["filename"])
        else:
            counts = evaluations.apply(db.session, fresh, current_user.name, status["filename"])
        db.session.commit()
    except review.ReviewError as err:
        db.session.rollback()
        flash(f"没有导入：{err.message}", "error")
        return redirect(url_for("admin.import_job", key=key))
    store.discard(key)
    skipped = counts["unchanged"] + counts["pending"]
    if kind == "guides":
        flash(f"已导入：新增 {counts['new']} 个、修改 {counts['changed']} 个指南，均已提交审核，"
              f"审核通过后才会在屏幕上显示；{skipped} 个没有变化，已跳过。", "success")
        return redirect(url_for("admin.content_guides"))
    if counts["new"] or counts["changed"]:
        get_publisher(current_app).changed()
    flash(f"已导入好差评统计：新增 {counts['new']} 行、更新 {counts['changed']} 行，屏幕已更新；"
          f"{skipped} 行没有变化。", "success")
    return redirect(url_for("admin.import_index"))


@bp.post("/import/job/<key>/cancel")
@role_required(*UPLOAD_ROLES)
def import_job_cancel(key: str):
    store = jobs()
    if store.status(key, current_user.id) is not None:
        store.discard(key)
        flash("已取消，上传的文件已删除，没有导入任何内容。", "info")
    return redirect(url_for("admin.import_index"))


@bp.errorhandler(413)
def _too_large(err):
    """Uploads beyond MAX_CONTENT_LENGTH: say so in Chinese (the script shows it too)."""
    size = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = f"一次上传的文件过大（合计超过 {size // (1024 * 1024)} MB），没有保存。请分几次保存，每次少传几个文件。"
    if _xhr():
        return jsonify(error=message), 413
    return render_template("admin/error.html", heading="文件过大", message=message), 413


nav_item("admin.import_index", "导入导出", STAFF, order=65, prefix="admin.import")
