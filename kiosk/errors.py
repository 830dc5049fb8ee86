"""Error responses: JSON ``{"error": {"code", "message", "field"?}}`` under /api, HTML elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from .services import storage_faults
from .services.security.offload import Busy

log = logging.getLogger(__name__)


class _Busy503(ServiceUnavailable):
    def __init__(self, message: str):
        super().__init__(message)


class ApiError(Exception):
    """A client error with a stable machine code and a message a person can act on."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def to_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}


def _wants_json() -> bool:
    path = request.path
    return (path.startswith("/api/") or path.endswith("/state")
            or (path.startswith("/screen/") and "/kiosk/" in path))


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return jsonify(err.to_dict()), err.status

    @app.errorhandler(Busy)
    def busy(err: Busy):
        message = "系统繁忙，请稍候几秒再试 (the server is busy; retry in a few seconds)"
        if _wants_json():
            return jsonify({"error": {"code": "busy", "message": message}}), 503, {"Retry-After": "5"}
        return render_template("errors/http.html", error=_Busy503(message)), 503, {"Retry-After": "5"}

    @app.errorhandler(OperationalError)
    @app.errorhandler(OSError)
    def storage_failed(err: Exception):
        """The database was locked past its wait, the disk is full, the database is gone: 503
        with what happened in Chinese, one log line (no traceback per request), and the
        session rolled back, so nothing of the write stays and the next request starts clean."""
        fault = storage_faults.classify(err)
        if fault is None:
            raise err  # not a storage fault: Flask's 500 with the traceback
        from .extensions import db

        db.session.rollback()
        level = logging.ERROR if fault == "disk_full" else logging.WARNING
        where = request.url_rule.rule if request.url_rule else request.path  # no screen token in logs
        log.log(level, "%s %s refused (%s: %s): nothing stored, answered 503",
                request.method, where, fault, storage_faults.reason(err))
        message, headers = storage_faults.MESSAGES[fault], {"Retry-After": "5"}
        if _wants_json():
            return jsonify({"error": {"code": fault, "message": message}}), 503, headers
        return render_template("errors/http.html", error=_Busy503(message)), 503, headers

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.response is not None:  # the raiser built the answer (e.g. a rate limit's page)
            return err.response
        # werkzeug's own headers of the error, e.g. the ``Allow`` a 405 must carry (RFC 9110)
        headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
        if _wants_json():
            code = (err.name or "error").lower().replace(" ", "_")
            return jsonify({"error": {"code": code, "message": err.description}}), err.code, headers
        return render_template("errors/http.html", error=err), err.code, headers
