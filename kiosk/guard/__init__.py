"""Request-level protection for every audience (issue 10), wired by ``register_guard``.

* :mod:`.limits`: per-client rate limits (Flask-Limiter) on the routes an anonymous client can
  make expensive: sign-in, search, pairing; client addresses from ``ProxyFix`` only when
  ``KIOSK_TRUSTED_PROXIES`` says how many proxies stand in front.
* :mod:`.inputs`: integers in URLs bounded to what the database holds, JSON depth bounded,
  small body limits on anonymous endpoints.
* :mod:`.headers`: CSP, nosniff, frame-ancestors and Referrer-Policy on every page.

The staff panel's own sessions and lockout live in ``admin/auth.py`` and ``services``.
"""

from __future__ import annotations

from flask import Flask

from . import headers, inputs, limits


def register_guard(app: Flask) -> None:
    inputs.register(app)
    limits.register(app)
    headers.register(app)
