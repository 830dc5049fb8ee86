"""Kiosk catalogue, ratings (好差评) and visit records. See docs/kiosk.md."""

from __future__ import annotations

from . import bp  # noqa: F401
