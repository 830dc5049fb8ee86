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


class SettingsError(ValueError):
    """A ``KIOSK_*`` setting has a value the server cannot run with; the message names it.
    ``kiosk`` commands print it as one line instead of a traceback."""


def _number(env, name: str, default: float, kind=int, maximum: float | None = None):
    """A positive number from ``env[name]``; ``maximum`` is a promise of the protocol that a
    setting must not break (a screen polls at least every 60 s, beats at least every 15 s)."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: 应为{'整数' if kind is int else '数字'} "
                            f"(must be a {'whole ' if kind is int else ''}number)") from None
    if value <= 0:
        raise SettingsError(f"{name}={raw!r}: 应大于 0 (must be greater than 0)")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name}={raw!r}: 不能大于 {maximum:g} (must be at most {maximum:g})")
    return value


# docs/display-protocol.md: heartbeats every <= 15 s, the HTTP fallback polled every <= 60 s
MAX_HEARTBEAT_SECONDS = 15
MAX_POLL_SECONDS = 60


MIN_AUDIT_RETENTION_DAYS = 180  # issue 4: the audit log is kept at least this long


def audit_retention_days(value: Any) -> int:
    """``AUDIT_RETENTION_DAYS`` as an int, refused at start-up when below the required 180 days
    (a shorter value would let the nightly ``audit-prune`` job delete evidence too early)."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise SettingsError(f"KIOSK_AUDIT_RETENTION_DAYS={value!r}: 审计日志保留天数应为整数 "
                         "(audit log retention must be a whole number of days)") from None
    if days < MIN_AUDIT_RETENTION_DAYS:
        raise SettingsError(f"KIOSK_AUDIT_RETENTION_DAYS={days}: 审计日志至少保留 {MIN_AUDIT_RETENTION_DAYS} 天 "
                         f"(audit log retention must be at least {MIN_AUDIT_RETENTION_DAYS} days)")
    return days


def _secure_cookies(env, base_url: str) -> bool:
    explicit = env.get("KIOSK_SECURE_COOKIES")
    if explicit:
        return explicit in ("1", "true", "yes")
    return base_url.lower().startswith("https://")


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
        "HEARTBEAT_SECONDS": _number(env, "KIOSK_HEARTBEAT_SECONDS", 15, maximum=MAX_HEARTBEAT_SECONDS),
        "POLL_SECONDS": _number(env, "KIOSK_POLL_SECONDS", 60, maximum=MAX_POLL_SECONDS),
        "PRESENCE_FLUSH_SECONDS": _number(env, "KIOSK_PRESENCE_FLUSH_SECONDS", 2, float),
        # SQLite: how long a write waits for another connection's write lock before 503
        # 数据库繁忙; waited cooperatively, so screens are served meanwhile (kiosk/sqlite.py).
        "DB_BUSY_SECONDS": _number(env, "KIOSK_DB_BUSY_SECONDS", 15, float),
        # How often the scheduler looks for content written by another process (kiosk import
        # beside a running server): one indexed MAX() query each time.
        "CONTENT_WATCH_SECONDS": _number(env, "KIOSK_CONTENT_WATCH_SECONDS", 10, float),
        # How often the popular-guides job ranks guides by views for popular:<n> items (a
        # count over 30 days of visits; it writes, and screens change, only when the order moved).
        "POPULAR_SECONDS": _number(env, "KIOSK_POPULAR_SECONDS", 600, float),
        # Engine.IO keep-alive. A closed socket (tab closed, player rebooted) is noticed at
        # once; only a silent drop (cable cut mid-path) waits for interval + timeout. The
        # timeout needs headroom over the busiest moment: at 3 s / 2 s an alert fan-out to
        # 2,000 screens on 2 cores dropped 1,902 of them (docs/benchmarks.md), so this keeps
        # Socket.IO's own defaults.
        "SOCKETIO_PING_INTERVAL": _number(env, "KIOSK_PING_INTERVAL", 25),
        "SOCKETIO_PING_TIMEOUT": _number(env, "KIOSK_PING_TIMEOUT", 20),
        # A screen whose network is cut without a TCP close (cable pulled, power lost) is
        # found by the kernel's keep-alive probes within this many seconds, at no Python
        # cost, so the staff panel shows it offline within 5 s (issue 4); kiosk/cli/listener.py.
        # Raise it for screens on flaky Wi-Fi that should ride out short gaps.
        "DEAD_PEER_SECONDS": _number(env, "KIOSK_DEAD_PEER_SECONDS", 3),
        "TIMELINE_HOURS": 24,
        # 好差评 from a kiosk: at most COUNT ratings per kiosk in WINDOW seconds (counted in the
        # database, so it holds across server processes); more get 429 (services/touch/ratings.py).
        "RATING_LIMIT_COUNT": _number(env, "KIOSK_RATING_LIMIT_COUNT", 6),
        "RATING_LIMIT_WINDOW_SECONDS": _number(env, "KIOSK_RATING_LIMIT_WINDOW_SECONDS", 300),
        # One request: a guide saved with several 空表/样表 files (each ≤ 5 MB) or a large
        # Excel import must fit; beyond it the panel shows 文件过大 (admin/excel.py).
        "MAX_CONTENT_LENGTH": 64 * 1024 * 1024,
        # Staff panel sessions: a signed cookie the page scripts cannot read, not sent on
        # cross-site sub-requests; signed out after ADMIN_IDLE_MINUTES without a panel request
        # (checked on the server, the cookie lifetime only mirrors it).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies whenever the panel is reached over https (KIOSK_SECURE_COOKIES=0/1
        # overrides, e.g. behind a TLS proxy that the base URL does not show).
        "SESSION_COOKIE_SECURE": None,  # decided below from the base URL
        # Rate limits per client address (kiosk/guard/limits.py), Flask-Limiter syntax.
        "LOGIN_RATE_LIMIT": env.get("KIOSK_LOGIN_RATE_LIMIT") or "10/minute;50/hour",
        "SEARCH_RATE_LIMIT": env.get("KIOSK_SEARCH_RATE_LIMIT") or "300/minute",
        "PAIRING_RATE_LIMIT": env.get("KIOSK_PAIRING_RATE_LIMIT") or "30/10 minutes",
        "RATELIMIT_STORAGE_URL": env.get("KIOSK_RATELIMIT_STORAGE_URL") or None,
        # How many reverse proxies (nginx) stand in front and set X-Forwarded-For; 0 = none,
        # the TCP peer is the client. Configured, never guessed (a spoofed header is ignored).
        "TRUSTED_PROXIES": _number(env, "KIOSK_TRUSTED_PROXIES", 0) if env.get("KIOSK_TRUSTED_PROXIES", "0") != "0" else 0,
        # Browser origins allowed to open the /staff and /display sockets besides the public
        # base URL's and the request's own host (comma-separated, e.g. https://panel.example).
        "ALLOWED_ORIGINS": [o.strip().rstrip("/") for o in (env.get("KIOSK_ALLOWED_ORIGINS") or "").split(",") if o.strip()],
        # Origins of a signage player that shows screen pages inside a frame (space-separated);
        # none: screen pages may be framed by this server only (kiosk/guard/headers.py).
        "FRAME_ANCESTORS": (env.get("KIOSK_FRAME_ANCESTORS") or "").split(),
        # Roles whose schedule entries and disclosure reports go live without a second
        # person's approval (services/publish_rights.py); default admin,reviewer.
        "DIRECT_PUBLISH_ROLES": ([r.strip() for r in env["KIOSK_DIRECT_PUBLISH_ROLES"].split(",") if r.strip()]
                                 if "KIOSK_DIRECT_PUBLISH_ROLES" in env else None),
        # CPU-heavy work (password hashing, report parsing) off the event loop: threads at
        # once, and how many more may wait before "系统繁忙" (services/security/offload.py).
        "CPU_WORKERS": _number(env, "KIOSK_CPU_WORKERS", 2),
        "CPU_QUEUE": _number(env, "KIOSK_CPU_QUEUE", 16),
        # Bearer tokens made without an explicit lifetime expire after this many days
        # (0 = never; `kiosk tokens create --days N` overrides per token).
        "API_TOKEN_DAYS": int(env.get("KIOSK_API_TOKEN_DAYS") or 0),
        "ADMIN_IDLE_MINUTES": _number(env, "KIOSK_ADMIN_IDLE_MINUTES", 30),
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,  # a form left open over lunch still submits
        "AUDIT_RETENTION_DAYS": env.get("KIOSK_AUDIT_RETENTION_DAYS") or 365,
        # Kiosk handwriting (手写): Debian's libzinnia0 + tegaki-zinnia-simplified-chinese; optional.
        "HANDWRITING_LIBRARY": env.get("KIOSK_HANDWRITING_LIBRARY") or "libzinnia.so.0",
        "HANDWRITING_MODEL": env.get("KIOSK_HANDWRITING_MODEL") or "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model",
    }
    settings.update(overrides)
    if settings["SESSION_COOKIE_SECURE"] is None:
        settings["SESSION_COOKIE_SECURE"] = _secure_cookies(env, settings["PUBLIC_BASE_URL"])
    settings["AUDIT_RETENTION_DAYS"] = audit_retention_days(settings["AUDIT_RETENTION_DAYS"])
    settings.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(minutes=settings["ADMIN_IDLE_MINUTES"]))
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _secret_key(folder)
    return settings
