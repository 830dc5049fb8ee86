"""Error responses: JSON ``{"error": {"code", "message", "field"?}}`` under /api, HTML elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


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

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if _wants_json():
            code = (err.name or "error").lower().replace(" ", "_")
            return jsonify({"error": {"code": code, "message": err.description}}), err.code
        return render_template("errors/http.html", error=err), err.code
