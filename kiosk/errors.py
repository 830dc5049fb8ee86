"""Error responses: JSON ``{"error": {"code", "message", "field"?}}`` under /api, HTML elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from .services.security.offload import Busy


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

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.response is not None:  # the raiser built the answer (e.g. a rate limit's page)
            return err.response
        if _wants_json():
            code = (err.name or "error").lower().replace(" ", "_")
            return jsonify({"error": {"code": code, "message": err.description}}), err.code
        return render_template("errors/http.html", error=err), err.code
