"""Liveness and readiness probes for load balancers and systemd."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and serving requests; says nothing about its dependencies."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    """Ready only when the database answers and, scaled out, the Redis message queue does: a
    load balancer should send no screen here before. Each dependency is named with what
    failed, so an operator reads the cause off the probe."""
    body = {"status": "ok", "database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready", with the reason
        db.session.rollback()
        body.update(status="unavailable", database=exc.__class__.__name__)
    queue = current_app.config.get("MESSAGE_QUEUE_URL")
    if queue:
        body["queue"] = _queue_state(queue)
        if body["queue"] != "ok":
            body["status"] = "unavailable"
    return jsonify(body), 200 if body["status"] == "ok" else 503


def _queue_state(url: str) -> str:
    """``ok``, or why Redis did not answer a PING within a second."""
    import redis

    client = current_app.extensions.get("kiosk.readyz_redis")
    if client is None:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        current_app.extensions["kiosk.readyz_redis"] = client
    try:
        client.ping()
    except Exception as exc:
        return f"unavailable: {exc.__class__.__name__}"
    return "ok"
