"""Hall content server: ``create_app`` is a short list of small ``register_*`` steps."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from .config import load_settings
from .extensions import db, migrate, socketio


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides the ``KIOSK_*`` environment (tests pass a dict)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_settings(config))
    app.json.ensure_ascii = False  # Chinese stays readable (and a third smaller) in JSON
    register_logging(app)
    register_extensions(app)
    register_guard(app)
    register_auth(app)
    register_templates(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_services(app)
    return app


def register_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Migrations run at every start; their step-by-step INFO lines drown what staff need.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Per-request access lines (every screen polls) and APScheduler's "added job" on each
    # re-arm: an operator reads kiosk.* lines ("next boundary at …", "published N room(s)").
    for noisy in ("geventwebsocket.handler", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A malformed Socket.IO frame (bad JSON, too deep) is the client's fault: one warning
    # line, not a traceback per frame that lets anyone fill the log.
    logging.getLogger("engineio.server").addFilter(_one_line_for_bad_frames)


def _one_line_for_bad_frames(record: logging.LogRecord) -> bool:
    exc = record.exc_info[1] if record.exc_info else None
    if record.getMessage() == "message handler error" and isinstance(exc, ValueError | RecursionError):
        record.msg, record.args = "malformed Socket.IO frame refused: %s", (str(exc)[:200],)
        record.exc_info, record.exc_text, record.levelno, record.levelname = None, None, logging.WARNING, "WARNING"
    return True


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (tables must be known before create_all)

    db.init_app(app)
    from .sqlite import tune

    with app.app_context():
        tune(db.engine, app.config["DB_BUSY_SECONDS"])
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    _prepare_socketio()
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        message_queue=app.config.get("MESSAGE_QUEUE_URL"),
        **_queue_manager(app),
        cors_allowed_origins=app.extensions.setdefault("kiosk.origin_check", _origin_check(app)),
        ping_interval=app.config.get("SOCKETIO_PING_INTERVAL", 25),
        ping_timeout=app.config.get("SOCKETIO_PING_TIMEOUT", 20),
        json=_json_module(),
    )


def _queue_manager(app: Flask) -> dict[str, Any]:
    """With a Redis queue, the manager that survives Redis going away and coming back (one
    log line each way, republish on return: kiosk/realtime/queue.py); other URLs (Kombu …)
    keep Flask-SocketIO's own choice."""
    url = app.config.get("MESSAGE_QUEUE_URL") or ""
    if not url.startswith(("redis://", "rediss://")):
        return {}
    from .realtime.queue import QueueManager, republisher

    return {"client_manager": QueueManager(url, on_recovered=republisher(app))}


def _origin_check(app: Flask):
    """Which browser pages may open a socket: the request's own host, the public base URL and
    ``KIOSK_ALLOWED_ORIGINS``, nothing else. (``[]`` would turn Engine.IO's check off: a page
    on another port of the same host could then read live screen status with the staff
    cookie.) Clients that send no Origin (players, scripts) are not browsers and pass."""
    from urllib.parse import urlsplit

    base = urlsplit(app.config["PUBLIC_BASE_URL"])
    fixed = {f"{base.scheme}://{base.netloc}".lower(), *(o.lower() for o in app.config["ALLOWED_ORIGINS"])}

    def allowed(origin: str | None, environ: dict | None = None) -> bool:
        if not origin:
            return True
        origin = origin.rstrip("/").lower()
        if environ is not None and environ.get("HTTP_HOST"):
            own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ['HTTP_HOST']}".lower()
            if origin == own:
                return True
        return origin in fixed

    return allowed


def _prepare_socketio() -> None:
    """Make the module-level ``SocketIO`` safe to bind to more than one app (tests do).

    ``init_app`` keeps options from the previous call (a Redis ``client_manager`` would leak
    into the next app) and re-registers the namespaces it holds, so the namespace is added
    to that list exactly once, before the server is created.
    """
    from .realtime.display import DisplayNamespace

    socketio.server_options.pop("client_manager", None)
    if not any(isinstance(ns, DisplayNamespace) for ns in socketio.namespace_handlers):
        namespace = DisplayNamespace("/display")
        namespace._set_socketio(socketio)
        socketio.namespace_handlers.append(namespace)
    from .realtime.staff import StaffNamespace

    if not any(isinstance(ns, StaffNamespace) for ns in socketio.namespace_handlers):
        staff = StaffNamespace("/staff")
        staff._set_socketio(socketio)
        socketio.namespace_handlers.append(staff)


def _json_module():
    """Socket.IO payloads keep Chinese as UTF-8 instead of \\u escapes (a third smaller)."""
    import json

    class _Json:
        @staticmethod
        def dumps(obj, *args, **kwargs):
            kwargs.setdefault("ensure_ascii", False)
            kwargs.setdefault("separators", (",", ":"))
            return json.dumps(obj, *args, **kwargs)

        @staticmethod
        def loads(s, *args, **kwargs):
            from .guard.inputs import loads_bounded

            return loads_bounded(s, *args, **kwargs)

    return _Json


def register_guard(app: Flask) -> None:
    """Rate limits, input bounds and headers (kiosk/guard), and the CPU pool's size."""
    from .guard import register_guard as register
    from .services.security import offload

    offload.configure(app.config["CPU_WORKERS"], app.config["CPU_QUEUE"])
    register(app)


def register_auth(app: Flask) -> None:
    """Staff panel sessions (Flask-Login) and CSRF on every form, except the JSON API,
    which authenticates with bearer tokens and not with cookies."""
    from .admin.auth import init_auth
    from .api import bp as api_bp
    from .extensions import csrf, login_manager
    from .touch import bp as touch_bp

    login_manager.init_app(app)
    csrf.init_app(app)
    csrf.exempt(api_bp)
    csrf.exempt(touch_bp)  # the screen token in the URL is the credential, no cookies
    init_auth(app)


def register_templates(app: Flask) -> None:
    """Chart helpers for slide templates (server-rendered SVG: no chart library on screens)."""
    from .services.charts import JINJA_GLOBALS

    app.jinja_env.globals.update(JINJA_GLOBALS)


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .display import bp as display_bp
    from .guide import bp as guide_bp
    from .health import bp as health_bp
    from .touch import bp as touch_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(display_bp)
    app.register_blueprint(guide_bp)
    app.register_blueprint(touch_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(admin_bp, url_prefix="/admin")


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_services(app: Flask) -> None:
    from .services.publish import Publisher

    app.extensions["kiosk.publisher"] = Publisher(app, socketio)
