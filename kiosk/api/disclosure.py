"""Disclosure annual reports: upload and check a file, store it, override failing checks.

``POST /disclosure/parse`` reads an uploaded report (multipart field ``file``) and returns it
with its checks, including ``carry_over`` against last year's stored report; with
``store=1`` it also stores it (``replace=1`` to replace the stored report of that agency and
year); an editor's report is stored for review instead (202, ``review.state = "pending"``) and
reaches screens once ``POST /disclosure/reports/<id>/approve`` (a reviewer or admin, not the
uploader) approves it. A file that cannot be read is a 400 ``invalid_report`` naming the field ``file`` —
never a 500. ``POST /disclosure/reports/<id>/override`` lets a reviewer allow a report whose
checks fail onto the screens, with a written reason.
"""

from __future__ import annotations

import logging

from flask import current_app, g, jsonify, request

from ..errors import ApiError
from ..extensions import db
from ..models import DisclosureReport, utcnow
from ..services.disclosure import DisclosureError, parse_report, review, store
from ..services.publish import get_publisher
from ..services.publish_rights import APPROVER_ROLES, ApprovalError, publishes_directly
from ..services.security.offload import run_cpu
from . import bp
from .auth import json_body, require_role

log = logging.getLogger(__name__)

_TRUE = ("1", "true", "yes", "on")
MAX_UPLOAD = 5 * 1024 * 1024  # as in the panel: a report is a few hundred KB
MAX_REASON = 500  # a rejection's reason, as the audit log keeps it


def _flag(name: str) -> bool:
    return (request.form.get(name) or request.args.get(name) or "").strip().lower() in _TRUE


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_report", message, "file")


def _store_error(err: store.StoreError) -> ApiError:
    return ApiError(err.status, err.code, err.message, err.field)


@bp.post("/disclosure/parse")
@require_role("admin", "reviewer", "editor")
def parse_disclosure():
    upload = request.files.get("file")
    if upload is None:
        raise _invalid("请上传年度报告文件（表单字段 file）/ upload the report as the form field 'file'")
    filename = upload.filename or ""
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise _invalid(f"文件超过 {MAX_UPLOAD // (1024 * 1024)} MB / the file is larger than "
                       f"{MAX_UPLOAD // (1024 * 1024)} MB")
    try:
        report = run_cpu(parse_report, data, filename)
    except DisclosureError as exc:
        raise _invalid(f"无法读取 / cannot read {filename or 'the file'}: {exc}") from None
    except Exception:  # a file the parser did not foresee must not become a 500
        log.exception("disclosure parser failed on %r", filename)
        raise _invalid(f"无法读取该文件 / cannot read {filename or 'the file'}") from None
    previous, existing = store.assess(db.session, report)
    failed = store.failed_checks(report["checks"])
    body = {
        "report": report,
        "checks_ok": not failed,
        "failed": len(failed),
        "previous": {"id": previous.id, "code": previous.code} if previous is not None else None,
        "existing": {"id": existing.id, "code": existing.code} if existing is not None else None,
        "stored": None,
    }
    if not _flag("store"):
        return jsonify(body)
    if not publishes_directly(g.api_user.role, current_app.config):
        return _submit(report, filename, body)
    try:
        row = store.store_report(
            db.session, report, code=request.form.get("code") or None,
            source_filename=filename, replace=_flag("replace"), actor=g.api_user.name,
        )
    except store.StoreError as err:
        db.session.rollback()
        raise _store_error(err) from None
    except DisclosureError as exc:
        db.session.rollback()
        raise _invalid(str(exc)) from None
    db.session.commit()
    get_publisher(current_app).changed()
    body["stored"] = store.report_json(row)
    body["replaced"] = existing is not None
    body["report"] = {**row.data, "checks": row.checks}
    body["checks_ok"] = bool(row.checks_ok)
    body["failed"] = len(store.failed_checks(row.checks))
    return jsonify(body), 201


def _submit(report: dict, filename: str, body: dict):
    """An editor's upload: stored for review (202), nothing on the screens changes."""
    try:
        row = review.submit(db.session, report, code=request.form.get("code") or None,
                            source_filename=filename, replace=_flag("replace"),
                            actor=g.api_user.name, now=utcnow())
    except store.StoreError as err:
        db.session.rollback()
        raise _store_error(err) from None
    except DisclosureError as exc:
        db.session.rollback()
        raise _invalid(str(exc)) from None
    db.session.commit()
    body["stored"] = {**store.report_json(row), "review": "pending"}
    body["replaced"] = False
    body["review"] = {"state": "pending", "message": "已提交审核：审核人员通过后才会上屏 / "
                      "submitted for review; screens change once a reviewer approves"}
    return jsonify(body), 202


def _reviewed_row(report_id: int):
    row = db.session.get(DisclosureReport, report_id)
    if row is None:
        raise ApiError(404, "not_found", f"报告 {report_id} 不存在 / no such report")
    return row


@bp.post("/disclosure/reports/<int:report_id>/approve")
@require_role(*APPROVER_ROLES)
def approve_disclosure(report_id: int):
    try:
        row = review.approve(db.session, _reviewed_row(report_id), actor=g.api_user.name,
                             role=g.api_user.role)
    except ApprovalError as err:
        db.session.rollback()
        raise ApiError(err.status, "review_refused", err.message) from None
    except (store.StoreError, DisclosureError) as err:
        db.session.rollback()
        raise ApiError(409, "invalid_report", getattr(err, "message", str(err))) from None
    db.session.commit()
    get_publisher(current_app).changed()
    return jsonify(store.report_json(row))


@bp.post("/disclosure/reports/<int:report_id>/reject")
@require_role(*APPROVER_ROLES)
def reject_disclosure(report_id: int):
    # The body is optional, but one that is sent must be a JSON object with a text reason of
    # at most 500 characters: a reason sent as a bare string, a number or a longer text used
    # to be dropped or cut without a word, and the upload rejected all the same.
    data = json_body() if request.get_data(cache=True) else {}
    reason = data.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise ApiError(400, "invalid_field", f"驳回理由应为最多 {MAX_REASON} 个字的文字 / "
                       f"reason: text of at most {MAX_REASON} characters", "reason")
    try:
        review.reject(db.session, _reviewed_row(report_id), actor=g.api_user.name,
                      role=g.api_user.role, reason=reason or "")
    except ApprovalError as err:
        db.session.rollback()
        raise ApiError(err.status, "review_refused", err.message) from None
    db.session.commit()
    return jsonify({"rejected": report_id})


@bp.post("/disclosure/reports/<int:report_id>/override")
@require_role("admin", "reviewer")
def override_disclosure(report_id: int):
    data = json_body()
    reason = data.get("reason")
    if not isinstance(reason, str):
        raise ApiError(400, "invalid_field", f"请填写放行理由，至少 {store.MIN_REASON} 个字 / "
                       "reason is required", "reason")
    try:
        row = store.override(db.session, report_id, reason, actor_user=g.api_user)
    except store.StoreError as err:
        db.session.rollback()
        raise _store_error(err) from None
    db.session.commit()
    get_publisher(current_app).changed()
    return jsonify(store.report_json(row))
