"""Disclosure annual reports in the panel: upload, check side by side, replace, override.

A parsed upload is kept as JSON in the data dir under a random name until staff confirm
(replacing an existing report needs that explicit second step); it is deleted once stored.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..models import DisclosureReport, User, utcnow
from ..services.disclosure import DisclosureError, parse_report, review, store
from ..services.disclosure import template as t
from ..services.publish import get_publisher
from ..services.publish_rights import APPROVER_ROLES, ApprovalError, publishes_directly
from ..services.security.offload import run_cpu
from ..services.slides import disclosure_summary
from . import bp, nav_item
from .auth import STAFF, role_required

log = logging.getLogger(__name__)

UPLOADERS = ("admin", "reviewer", "editor")
PENDING_SECONDS = 3600
MAX_UPLOAD = 5 * 1024 * 1024
COLUMNS = t.COLUMN_LABELS

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


def failed_cells(checks: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Cell path (``applications.withheld.third_party_rights[3]``) → the rules of the failed
    checks that name it, so the figures table can mark exactly those cells."""
    out: dict[str, list[str]] = {}
    for check in store.failed_checks(checks):
        for cell in check.get("cells") or ():
            rules = out.setdefault(cell, [])
            if check["rule"] not in rules:
                rules.append(check["rule"])
    return out


def application_rows(report: dict[str, Any],
                     marks: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """Every row of the 三、 table as the template prints it, each with its 7 cells: the
    numbered sub-rows too, because a failed check on 4.保护第三方合法权益 has to be findable.
    A group of sub-rows (（三）不予公开 …) gets a heading row with its per-column subtotal,
    which no check names (``path`` None). ``marks`` is :func:`failed_cells`."""
    apps = report.get("applications", {})
    marks = marks or {}

    def row(path: t.AppPath, label: str, kind: str) -> dict[str, Any]:
        node: Any = apps
        for part in path:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        values = list(node) if isinstance(node, list) else [0] * 7
        cells = [{"value": v, "path": f"{t.path_name(path)}[{c}]",
                  "rules": marks.get(f"{t.path_name(path)}[{c}]", [])}
                 for c, v in enumerate(values)]
        return {"label": label, "kind": kind, "cells": cells}

    out = [row(("new",), t.TOP_ROWS["new"], "top"),
           row(("carried_over",), t.TOP_ROWS["carried_over"], "top")]
    for group in t.GROUPS:
        if not group.subs:
            out.append(row((group.key,), f"三、{group.label}", "top"))
            continue
        subs = [row((group.key, sub.key), sub.label, "sub") for sub in group.subs]
        totals = [sum(s["cells"][c]["value"] for s in subs) for c in range(7)]
        out.append({"label": f"三、{group.label}（小计）", "kind": "group",
                    "cells": [{"value": v, "path": None, "rules": []} for v in totals]})
        out.extend(subs)
    out.append(row(("carried_forward",), t.TOP_ROWS["carried_forward"], "top"))
    return out


def _view_context(report: dict[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    failed = store.failed_checks(checks)
    marks = failed_cells(checks)
    return {
        "report": report,
        "summary": disclosure_summary(report),
        "rows": application_rows(report, marks),
        "marks": marks,
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
        can_approve=current_user.role in APPROVER_ROLES and (row.pending or {}).get("by") != current_user.name,
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
        report = run_cpu(parse_report, data, upload.filename)
    except DisclosureError as exc:
        flash(f"无法读取“{upload.filename}”：{exc}", "error")
        return redirect(url_for("admin.disclosure"))
    except Exception:  # a file the parser did not foresee: a message, not a 500
        log.exception("disclosure parser failed on upload %r", upload.filename)
        flash(f"无法读取“{upload.filename}”：文件内容不符合预期（可能已损坏，或由不常见的软件生成），"
              "未保存任何内容。请另存为 .docx 或复制网页文字后重新上传；如仍失败，请联系管理员"
              "（错误详情已记入服务器日志）。", "error")
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
    if not publishes_directly(current_user.role, current_app.config):
        try:
            row = review.submit(db.session, pending["report"], code=None,
                                source_filename=pending["filename"],
                                replace=request.form.get("replace") == "1", actor=current_user.name,
                                now=utcnow())
            db.session.commit()
        except (store.StoreError, DisclosureError) as err:
            db.session.rollback()
            flash(f"未保存：{getattr(err, 'message', err)}", "error")
            return redirect(url_for("admin.disclosure"))
        path.unlink(missing_ok=True)
        flash(f"已提交 {row.agency} {row.year} 年度报告，等待审核人员通过后才会上屏。", "success")
        return redirect(url_for("admin.disclosure_report", report_id=row.id))
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


@bp.post("/disclosure/<int:report_id>/approve")
@role_required(*APPROVER_ROLES)
def disclosure_approve(report_id: int):
    row = db.session.get(DisclosureReport, report_id) or abort(404)
    try:
        row = review.approve(db.session, row, actor=current_user.name, role=current_user.role)
        db.session.commit()
    except (ApprovalError, store.StoreError, DisclosureError) as err:
        db.session.rollback()
        flash(f"未通过：{getattr(err, 'message', err)}", "error")
        return redirect(url_for("admin.disclosure_report", report_id=report_id))
    get_publisher(current_app).changed()
    flash(f"已通过 {row.agency} {row.year} 年度报告，可以排期上屏。", "success")
    return redirect(url_for("admin.disclosure_report", report_id=row.id))


@bp.post("/disclosure/<int:report_id>/reject")
@role_required(*APPROVER_ROLES)
def disclosure_reject(report_id: int):
    row = db.session.get(DisclosureReport, report_id) or abort(404)
    created = (row.pending or {}).get("action") == "create"
    try:
        review.reject(db.session, row, actor=current_user.name, role=current_user.role,
                      reason=request.form.get("reason", ""))
        db.session.commit()
    except ApprovalError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("admin.disclosure_report", report_id=report_id))
    flash("已退回该上传，屏幕不变。", "success")
    if created:
        return redirect(url_for("admin.disclosure"))
    return redirect(url_for("admin.disclosure_report", report_id=report_id))


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
