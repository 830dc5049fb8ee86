"""Handwriting (手写) recognition for the kiosk's input panel. See docs/kiosk.md."""

from __future__ import annotations

from . import bp  # noqa: F401
