"""Handwriting (手写) recognition for the kiosk's input panel. See docs/kiosk.md.

The recognizer itself (Zinnia through ctypes, input validation) is in
kiosk/services/touch/handwriting.py; this module only maps it onto HTTP.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify

from ..errors import ApiError
from ..services.security.offload import run_cpu
from ..services.touch.handwriting import HandwritingError, get_recognizer, parse_strokes
from . import bp
from .common import json_body, kiosk_screen

# 4,000 points of a finger (the most parse_strokes takes) are well under 100 KB of JSON.
BODY_MAX = 256 * 1024


def handwriting_available(app: Flask) -> bool:
    """Whether this server can recognise handwriting; the screen page puts it in its config
    so that a kiosk without the recognizer never shows the panel. Loads the model on the
    first call (a few milliseconds) and logs the reason once when it cannot."""
    return get_recognizer(app).available()


@bp.post("/screen/<token>/kiosk/handwriting")
def recognize_handwriting(token: str):
    """Strokes of one character → ``{"candidates": [...]}``, best first (docs/kiosk.md).
    Like every touch answer it is ``no-store`` (routes.py): what someone wrote is nobody's
    business later."""
    kiosk_screen(token)
    recognizer = get_recognizer(current_app)
    if not recognizer.available():
        raise ApiError(503, "handwriting_unavailable",
                       f"手写识别不可用 (handwriting recognition unavailable: {recognizer.reason})")
    try:
        strokes = parse_strokes(json_body(BODY_MAX))
    except HandwritingError as err:
        raise ApiError(400, "invalid_strokes", err.message, err.field) from None
    # off the loop: a worst-case character (40 strokes, 4,000 points) takes ~90 ms in Zinnia
    return jsonify(candidates=run_cpu(recognizer.recognize, strokes))
