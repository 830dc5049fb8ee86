"""Per-client rate limits (Flask-Limiter) on what an anonymous client can make expensive.

Limits (``KIOSK_*`` settings, Flask-Limiter's syntax, e.g. ``10/minute;50/hour``):

* ``LOGIN_RATE_LIMIT``: *failed* sign-ins per client address (a successful one is not
  counted, so a shift signing in behind one office NAT is never slowed). Checked before the
  password is hashed, so a flood costs the server a dictionary lookup per request.
* ``SEARCH_RATE_LIMIT``: guide searches per client address (a kiosk types one per keystroke
  at most; a phone behind the hall Wi-Fi's NAT shares its address with many citizens).
* ``PAIRING_RATE_LIMIT``: pairing codes asked for per client address, so one client cannot
  fill the ``MAX_OPEN`` open codes that every new device shares.

Counters live in memory (one process, the embedded default) or, when scaled out, in Redis:
``KIOSK_RATELIMIT_STORAGE_URL``, else the Socket.IO message queue's Redis. Client addresses are
the TCP peer unless ``KIOSK_TRUSTED_PROXIES=N`` says N proxies (nginx) stand in front; then
``X-Forwarded-For`` is read through werkzeug's ProxyFix, never guessed from any header.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, make_response, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

limiter = Limiter(key_func=get_remote_address, strategy="moving-window",
                  headers_enabled=True)


def _limit(name: str):
    return lambda: current_app.config[name]


BREACH_DELAY = 1.0  # seconds an over-limit client waits for its refusal (under gevent)


def _slow_down() -> None:
    """Hold an over-limit answer for ``BREACH_DELAY`` without holding the loop (a gevent
    sleep costs nothing): a client that waits for each answer, as a password-guessing script
    does, then sends one request a second per connection instead of hundreds, so the flood
    no longer competes with screens for the loop. Outside a gevent server it answers at once."""
    from ..services.security.offload import _under_gevent

    if _under_gevent():
        import gevent

        gevent.sleep(BREACH_DELAY)


_LOGIN_REFUSED = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>请稍后再试 · 工作人员登录</title>
</head><body><main><h1>工作人员登录</h1><p data-testid="login-error" role="alert">
本设备登录失败次数过多，请 {seconds} 秒后再试。</p><p><a href="/admin/login">返回登录页</a></p></main>
</body></html>"""


def _login_breach(limit: RequestLimit):
    """A small fixed page (no template, no form, no password checked): cheap to send to a
    flood, and still tells a person, in Chinese, when to try again."""
    seconds = max(1, int(limit.reset_at - _now()))
    _slow_down()
    return make_response(_LOGIN_REFUSED.format(seconds=seconds), 429, {"Retry-After": str(seconds)})


def _json_breach(limit: RequestLimit):
    seconds = max(1, int(limit.reset_at - _now()))
    _slow_down()
    body = {"error": {"code": "rate_limited",
                      "message": f"请求过于频繁，请 {seconds} 秒后再试 (too many requests; retry in {seconds} s)"}}
    return make_response(jsonify(body), 429, {"Retry-After": str(seconds)})


def _now() -> float:
    import time

    return time.time()


def failed_login(response) -> bool:
    """Only a sign-in that did not succeed counts (success redirects with 302)."""
    return request.method == "POST" and response.status_code != 302


def login_limit():
    return limiter.limit(_limit("LOGIN_RATE_LIMIT"), methods=["POST"], deduct_when=failed_login,
                         on_breach=_login_breach)


def search_limit():
    return limiter.limit(_limit("SEARCH_RATE_LIMIT"), on_breach=_json_breach)


def pairing_limit():
    return limiter.limit(_limit("PAIRING_RATE_LIMIT"), on_breach=_json_breach)


def storage_uri(config) -> str:
    explicit = config.get("RATELIMIT_STORAGE_URL")
    if explicit:
        return explicit
    queue = config.get("MESSAGE_QUEUE_URL") or ""
    return queue if queue.startswith(("redis://", "rediss://")) else "memory://"


def register(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage_uri(app.config))
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "kiosk-limits")
    # Redis down in queue mode: count in memory meanwhile instead of failing every sign-in
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
