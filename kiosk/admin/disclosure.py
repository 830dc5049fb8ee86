"""Disclosure annual reports in the panel: upload, check side by side, replace, override.

A parsed upload is kept as JSON in the data dir under a random name until staff confirm
(replacing an existing report needs that explicit second step); it is deleted once stored.
"""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import DisclosureReport, User
from ..services.disclosure import DisclosureError, parse_report, store
from ..services.publish import get_publisher
from ..services.slides import disclosure_summary
from . import bp, nav_item
from .auth import STAFF, role_required

UPLOADERS = ("admin", "reviewer", "editor")
PENDING_SECONDS = 3600
MAX_UPLOAD = 5 * 1024 * 1024
ROWS = (
    ("new", "一、本年新收政府信息公开申请数量"),
    ("carried_over", "二、上年结转政府信息公开申请数量"),
    ("granted", "三（一）予以公开"),
    ("partially_granted", "三（二）部分公开"),
    ("withheld", "三（三）不予公开"),
    ("unable", "三（四）无法提供"),
    ("not_processed", "三（五）不予处理"),
    ("other", "三（六）其他处理"),
    ("total", "三（七）总计"),
    ("carried_forward", "四、结转下年度继续办理"),
)
COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")

nav_item("admin.disclosure", "公开年报", STAFF, order=60, prefix="admin.disclosure")


def _pending_dir() -> Path:
    folder = Path(current_app.config["DATA_DIR"]) / "pending"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("disclosure-*.json"):  # forget uploads nobody confirmed
        if time.time() - old.stat().st_mtime > PENDING_SECONDS:
            old.unlink(missing_ok=True)
    return folder


def _pending_path(key: str) -> Path:
    if not key or not key.isalnum() or len(key) > 64:
        abort(404)
    return _pending_dir() / f"disclosure-{key}.json"


def application_rows(report: dict[str, Any]) -> list[tuple[str, list[int]]]:
    """The 三、 table as (label, 7 numbers); grouped rows (不予公开 …) are summed per column."""
    apps = report.get("applications", {})
    out = []
    for key, label in ROWS:
        value = apps.get(key)
        if isinstance(value, dict):
            value = [sum(col) for col in zip(*value.values(), strict=True)] if value else [0] * 7
        out.append((label, list(value or [0] * 7)))
    return out


def _view_context(report: dict[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    failed = store.failed_checks(checks)
    return {
        "report": report,
        "summary": disclosure_summary(report),
        "rows": application_rows(report),
        "columns": COLUMNS,
        "checks": sorted(checks, key=lambda c: c["ok"]),
        "failed": failed,
    }


@bp.get("/disclosure")
@role_required(*STAFF)
def disclosure():
    reports = db.session.scalars(
        select(DisclosureReport).order_by(DisclosureReport.agency, DisclosureReport.year.desc())
    ).all()
    states = {r.id: store.can_schedule(r, store.current_checks(db.session, r)) for r in reports}
    return render_template("admin/disclosure_list.html", reports=reports, schedulable=states,
                           can_upload=current_user.role in UPLOADERS)


@bp.get("/disclosure/<int:report_id>")
@role_required(*STAFF)
def disclosure_report(report_id: int):
    row = db.session.get(DisclosureReport, report_id) or abort(404)
    checks = store.current_checks(db.session, row)
    data = dict(row.data, agency=row.agency, year=row.year)
    return render_template(
        "admin/disclosure_report.html", row=row, schedulable=store.can_schedule(row, checks),
        can_override=current_user.role in store.OVERRIDE_ROLES, min_reason=store.MIN_REASON,
        **_view_context(data, checks),
    )


@bp.post("/disclosure/upload")
@role_required(*UPLOADERS)
def disclosure_upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("请选择要上传的年度报告文件（文本、网页或 Word）。", "error")
        return redirect(url_for("admin.disclosure"))
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        flash("文件超过 5 MB，请确认是否选错了文件。", "error")
        return redirect(url_for("admin.disclosure"))
    try:
        report = parse_report(data, upload.filename)
    except DisclosureError as exc:
        flash(f"无法读取“{upload.filename}”：{exc}", "error")
        return redirect(url_for("admin.disclosure"))
    previous, existing = store.assess(db.session, report)
    key = secrets.token_hex(16)
    _pending_path(key).write_text(
        json.dumps({"report": report, "filename": upload.filename}, ensure_ascii=False), "utf-8"
    )
    return render_template(
        "admin/disclosure_confirm.html", key=key, filename=upload.filename, previous=previous,
        existing=existing, **_view_context(report, report["checks"]),
    )


@bp.post("/disclosure/confirm/<key>")
@role_required(*UPLOADERS)
def disclosure_confirm(key: str):
    path = _pending_path(key)
    if not path.exists():
        flash("上传已过期（1 小时内未确认），请重新上传。", "error")
        return redirect(url_for("admin.disclosure"))
    pending = json.loads(path.read_text("utf-8"))
    try:
        row = store.store_report(
            db.session, pending["report"], source_filename=pending["filename"],
            replace=request.form.get("replace") == "1", actor=current_user.name,
        )
        db.session.commit()
    except (store.StoreError, DisclosureError) as err:
        db.session.rollback()
        flash(f"未保存：{getattr(err, 'message', err)}", "error")
        return redirect(url_for("admin.disclosure"))
    path.unlink(missing_ok=True)
    get_publisher(current_app).changed()
    if row.checks_ok:
        flash(f"已保存 {row.agency} {row.year} 年度报告，全部校验通过。", "success")
    else:
        flash(f"已保存，但有 {len(store.failed_checks(row.checks))} 项校验未通过：审核人员放行前不会上屏。", "error")
    return redirect(url_for("admin.disclosure_report", report_id=row.id))


@bp.post("/disclosure/<int:report_id>/override")
@role_required(*store.OVERRIDE_ROLES)
def disclosure_override(report_id: int):
    user = db.session.get(User, current_user.id)
    try:
        store.override(db.session, report_id, request.form.get("reason", ""), actor_user=user)
        db.session.commit()
    except store.StoreError as err:
        db.session.rollback()
        if err.status == 404:
            abort(404)
        flash(err.message, "error")
        return redirect(url_for("admin.disclosure_report", report_id=report_id))
    get_publisher(current_app).changed()
    flash("已放行：该报告可以排期上屏，放行理由已记入审计日志。", "success")
    return redirect(url_for("admin.disclosure_report", report_id=report_id))
