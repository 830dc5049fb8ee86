"""No 5xx from input: bounded integers in URLs, bounded JSON, small anonymous bodies.

* ``<int:id>`` accepts only what a 64-bit database column holds: ``/api/v1/guides/
  9223372036854775808`` used to reach SQLite and PostgreSQL and come back as a 500
  (``OverflowError`` / ``NumericValueOutOfRange``); now it is a 404 like any unknown id.
* JSON nested deeper than ``MAX_JSON_DEPTH`` (or deep enough to exhaust Python's recursion) is
  a 400 ``invalid_json``, not a ``RecursionError``.
* Endpoints anyone may call without signing in take small bodies only
  (``ANONYMOUS_BODY_LIMITS``): 20 MB of JSON on the pairing endpoint used to stall the loop
  while it was parsed.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_DB_INT = 2**63 - 1
MAX_JSON_DEPTH = 32
# endpoint -> largest body in bytes (the rest of the app keeps MAX_CONTENT_LENGTH)
ANONYMOUS_BODY_LIMITS: dict[str, int] = {
    "display.pair_code": 4 * 1024,
    "display.pair_status": 4 * 1024,
    "admin.login": 16 * 1024,
}


class BoundedInt(IntegerConverter):
    """``int`` in routes, at most ``MAX_DB_INT`` (a larger id cannot name a row)."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def loads_bounded(data: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that refuses deep nesting with a ``ValueError`` (Flask's 400)."""
    try:
        value = json.loads(data, **kwargs)
    except RecursionError:
        raise ValueError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
    if depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested too deeply (more than {MAX_JSON_DEPTH} levels)")
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    ensure_ascii = False  # Chinese stays readable (and a third smaller) in JSON

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_bounded(s, **kwargs)


def _small_bodies() -> None:
    limit = ANONYMOUS_BODY_LIMITS.get(request.endpoint or "")
    if limit is not None:
        request.max_content_length = limit  # werkzeug answers 413 before reading more


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt
    app.json = BoundedJSONProvider(app)
    app.before_request(_small_bodies)
