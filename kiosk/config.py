"""Settings, read from ``KIOSK_*`` environment variables when the app is created.

Nothing here runs at import time: ``load_settings()`` is called by ``create_app`` and by the
CLI so that tests can pass a plain dict instead of touching the environment.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = "instance"


def data_dir(value: str | None = None) -> Path:
    """The folder for the embedded database and uploads (``--data-dir`` > env > ./instance)."""
    raw = value or os.environ.get("KIOSK_DATA_DIR") or DEFAULT_DATA_DIR
    return Path(raw).expanduser().resolve()


def _secret_key(folder: Path) -> str:
    """A secret key that survives restarts without anyone having to configure one.

    Sessions and CSRF tokens must stay valid across a restart of the embedded server, so a
    random key is generated once and kept in the data dir (mode 0600).
    """
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment plus explicit overrides."""
    overrides = dict(overrides or {})
    env = os.environ
    folder = data_dir(overrides.pop("DATA_DIR", None))
    db_url = env.get("KIOSK_DATABASE_URL") or f"sqlite:///{folder / 'kiosk.db'}"
    settings: dict[str, Any] = {
        "DATA_DIR": str(folder),
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": env.get("KIOSK_SECRET_KEY") or None,
        "PUBLIC_BASE_URL": (env.get("KIOSK_PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        "TIMEZONE": env.get("KIOSK_TIMEZONE") or "Asia/Shanghai",
        "HALL_NAME": env.get("KIOSK_HALL_NAME") or "老城区政务服务中心",
        "MESSAGE_QUEUE_URL": env.get("KIOSK_MESSAGE_QUEUE_URL") or None,
        "SCHEDULER_ENABLED": env.get("KIOSK_SCHEDULER", "1") not in ("0", "false", "no"),
        "CONTENT_DIR": env.get("KIOSK_CONTENT_DIR") or str(Path(__file__).resolve().parent.parent / "content"),
        "LAYOUTS_DIR": env.get("KIOSK_LAYOUTS_DIR")
        or str(Path(__file__).resolve().parent.parent / "display_layouts"),
        "HEARTBEAT_SECONDS": int(env.get("KIOSK_HEARTBEAT_SECONDS") or 15),
        "POLL_SECONDS": int(env.get("KIOSK_POLL_SECONDS") or 60),
        "PRESENCE_FLUSH_SECONDS": float(env.get("KIOSK_PRESENCE_FLUSH_SECONDS") or 2),
        # Engine.IO keep-alive. A closed socket (tab closed, player rebooted) is noticed at
        # once; only a silent drop (cable cut mid-path) waits for interval + timeout. The
        # timeout needs headroom over the busiest moment: at 3 s / 2 s an alert fan-out to
        # 2,000 screens on 2 cores dropped 1,902 of them (docs/benchmarks.md), so this keeps
        # Socket.IO's own defaults.
        "SOCKETIO_PING_INTERVAL": int(env.get("KIOSK_PING_INTERVAL") or 25),
        "SOCKETIO_PING_TIMEOUT": int(env.get("KIOSK_PING_TIMEOUT") or 20),
        "TIMELINE_HOURS": 24,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # Staff panel sessions: a signed cookie the page scripts cannot read, not sent on
        # cross-site sub-requests; signed out after ADMIN_IDLE_MINUTES without a panel request
        # (checked on the server, the cookie lifetime only mirrors it).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("KIOSK_SECURE_COOKIES", "0") in ("1", "true", "yes"),
        "ADMIN_IDLE_MINUTES": int(env.get("KIOSK_ADMIN_IDLE_MINUTES") or 30),
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,  # a form left open over lunch still submits
    }
    settings.update(overrides)
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:"):
        # SQLite under gevent: one connection per greenlet is fine, but a writer must wait
        # for another writer instead of failing at once with "database is locked".
        settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"connect_args": {"timeout": 15}})
    settings.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(minutes=settings["ADMIN_IDLE_MINUTES"]))
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _secret_key(folder)
    return settings
