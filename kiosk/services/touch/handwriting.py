"""Handwriting (手写) recognition for the kiosk: strokes of one character in, candidates out.

Elderly visitors often cannot type pinyin, so the kiosk lets them write a character with a
finger. Recognition runs here, offline, with the Zinnia recognizer and the Tegaki Simplified
Chinese model (Debian: ``libzinnia0``, ``tegaki-zinnia-simplified-chinese``), called through
ctypes so that no compiled Python package is needed. One classification takes a few
milliseconds, short enough to run on the gevent loop without a thread pool.

Both are optional at run time: without them the server starts as usual, ``available()`` says
False with a ``reason`` (logged once) and the kiosk hides its handwriting panel.
"""

from __future__ import annotations

import ctypes
import logging
import math
import os
import threading
import weakref
from dataclasses import dataclass

log = logging.getLogger(__name__)

EXTENSION_KEY = "kiosk.handwriting"

# Limits of one request (docs/kiosk.md). A character has at most ~30 strokes; a finger sends
# a point every few pixels, so 4000 points is several times the slowest careful writer.
MAX_STROKES = 40
MAX_POINTS_PER_STROKE = 1000
MAX_POINTS = 4000
MIN_SIZE, MAX_SIZE = 16, 4096
MAX_CANDIDATES = 50

# The box the strokes are rescaled into before classifying, and the margin around them.
# Zinnia's features are absolute positions relative to the declared width/height, so a
# character written small in a corner of the canvas scored far worse than the same character
# written across it. Centring the strokes' bounding box and scaling its longer side to the
# middle half of a square box (aspect kept) was measured on 419 common characters from the
# test data's source, at four sizes and positions: top-3 hits 2,144 → 2,643 of 3,352 (top-1
# 1,856 → 2,348); margins 0.15–0.28 all did better than none, 0.25 best overall.
NORMAL_BOX = 1000
NORMAL_MARGIN = 0.25


class HandwritingError(ValueError):
    """Strokes the recognizer cannot take; ``field`` names the part (``strokes[2][5]``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class HandwritingUnavailable(RuntimeError):
    """``recognize`` was called although ``available()`` is False; the message is the reason."""


@dataclass(frozen=True)
class Strokes:
    """One character as written: strokes in writing order, points clamped into the box."""

    strokes: tuple[tuple[tuple[float, float], ...], ...]
    width: int
    height: int


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _size(payload: dict, name: str, label: str) -> int:
    value = payload.get(name)
    if value is None:
        raise HandwritingError(name, f"缺少画布{label} (missing {name})")
    if not isinstance(value, int) or isinstance(value, bool) or not MIN_SIZE <= value <= MAX_SIZE:
        raise HandwritingError(name, f"画布{label}应为 {MIN_SIZE} 到 {MAX_SIZE} 之间的整数 "
                                     f"({name} must be a whole number from {MIN_SIZE} to {MAX_SIZE})")
    return value


def _coordinate(value, limit: int) -> float | None:
    """``value`` clamped into ``[0, limit]``; None when it is not a finite number. A finger
    that slides off the canvas edge is normal and must not lose the character."""
    if not _is_number(value):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return float(min(max(value, 0), limit))  # ints of any size compare without overflow


def parse_strokes(payload) -> Strokes:
    """Validate the JSON body ``{"strokes": [[[x, y], …], …], "width": w, "height": h}``.

    Raises ``HandwritingError`` naming the first bad part: ``strokes``, ``strokes[i]``,
    ``strokes[i][j]``, ``width`` or ``height``. Coordinates may be ints or floats (pointer
    events give fractional pixels) and are clamped into the box; NaN and infinity (which
    Python's JSON parser accepts) are refused.
    """
    if not isinstance(payload, dict):
        raise HandwritingError("body", "请求体应为 JSON 对象 (body must be a JSON object)")
    width = _size(payload, "width", "宽度")
    height = _size(payload, "height", "高度")
    raw = payload.get("strokes")
    if not isinstance(raw, list) or not raw:
        raise HandwritingError("strokes", "笔画应为非空列表 (strokes must be a non-empty list)")
    if len(raw) > MAX_STROKES:
        raise HandwritingError("strokes", f"笔画过多，最多 {MAX_STROKES} 笔 "
                                          f"(at most {MAX_STROKES} strokes)")
    strokes, total = [], 0
    for i, stroke in enumerate(raw):
        where = f"strokes[{i}]"
        if not isinstance(stroke, list) or not stroke:
            raise HandwritingError(where, "笔画应为坐标点列表 (each stroke must be a list of [x, y] points)")
        if len(stroke) > MAX_POINTS_PER_STROKE:
            raise HandwritingError(where, f"一笔最多 {MAX_POINTS_PER_STROKE} 个点 "
                                          f"(at most {MAX_POINTS_PER_STROKE} points per stroke)")
        total += len(stroke)
        if total > MAX_POINTS:
            raise HandwritingError("strokes", f"坐标点过多，最多共 {MAX_POINTS} 个 "
                                              f"(at most {MAX_POINTS} points in all)")
        points = []
        for j, point in enumerate(stroke):
            if not isinstance(point, list) or len(point) != 2:
                raise HandwritingError(f"{where}[{j}]", "坐标点应为 [x, y] (each point must be [x, y])")
            x, y = _coordinate(point[0], width), _coordinate(point[1], height)
            if x is None or y is None:
                raise HandwritingError(f"{where}[{j}]", "坐标应为有限的数字 "
                                                        "(coordinates must be finite numbers)")
            points.append((x, y))
        strokes.append(tuple(points))
    return Strokes(tuple(strokes), width, height)


def normalise(strokes: Strokes) -> list[list[tuple[int, int]]]:
    """The points moved into a ``NORMAL_BOX`` square: bounding box centred, its longer side
    scaled to the middle ``1 - 2 * NORMAL_MARGIN`` of the box (see NORMAL_MARGIN for why).
    Keeping the aspect ratio keeps 一 flat and 丨 tall, and a non-square canvas undistorted."""
    xs = [x for stroke in strokes.strokes for x, _ in stroke]
    ys = [y for stroke in strokes.strokes for _, y in stroke]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    scale = NORMAL_BOX * (1 - 2 * NORMAL_MARGIN) / span if span > 0 else 1.0
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = NORMAL_BOX / 2
    return [[(round(half + (x - cx) * scale), round(half + (y - cy) * scale)) for x, y in stroke]
            for stroke in strokes.strokes]


_P, _SIZE = ctypes.c_void_p, ctypes.c_size_t

# name: (restype, argtypes). Every pointer is c_void_p: ctypes' default int would truncate
# 64-bit pointers, and a missed restype is a crash, not an exception.
_SIGNATURES = {
    "zinnia_recognizer_new": (_P, []),
    "zinnia_recognizer_open": (ctypes.c_int, [_P, ctypes.c_char_p]),
    "zinnia_recognizer_strerror": (ctypes.c_char_p, [_P]),
    "zinnia_recognizer_classify": (_P, [_P, _P, _SIZE]),
    "zinnia_recognizer_destroy": (None, [_P]),
    "zinnia_character_new": (_P, []),
    "zinnia_character_set_width": (None, [_P, _SIZE]),
    "zinnia_character_set_height": (None, [_P, _SIZE]),
    "zinnia_character_add": (ctypes.c_int, [_P, _SIZE, ctypes.c_int, ctypes.c_int]),
    "zinnia_character_clear": (None, [_P]),
    "zinnia_character_destroy": (None, [_P]),
    "zinnia_result_size": (_SIZE, [_P]),
    "zinnia_result_value": (ctypes.c_char_p, [_P, _SIZE]),
    "zinnia_result_score": (ctypes.c_float, [_P, _SIZE]),
    "zinnia_result_destroy": (None, [_P]),
}

# A Zinnia model starts with a 12-byte header (magic, version, count); anything shorter is
# not one, and is refused before the C code reads past its end.
_MIN_MODEL_BYTES = 12


def _load_library(name: str):
    lib = ctypes.CDLL(name)
    for symbol, (restype, argtypes) in _SIGNATURES.items():
        function = getattr(lib, symbol)
        function.restype, function.argtypes = restype, argtypes
    return lib


def _native_lock():
    """An OS lock even in a gevent-patched process: recognition runs in the CPU pool's native
    threads (``run_cpu``), where a gevent lock would need that thread's own hub."""
    try:
        from gevent.monkey import get_original
    except ImportError:  # pragma: no cover - gevent is a dependency
        return threading.Lock()
    return get_original("_thread", "allocate_lock")()


class Recognizer:
    """Zinnia and its model, loaded at the first use and kept for the process.

    Loading is lazy so that importing the module or starting the app never fails or waits
    because of it. One lock covers loading and classifying: a Zinnia recognizer object is
    not re-entrant, and each call is a few milliseconds, so serialising them costs nothing
    a kiosk would notice.
    """

    def __init__(self, *, library: str, model: str):
        self.library, self.model = library, model
        self._lock = _native_lock()
        self._loaded = False
        self._lib = None
        self._handle = None
        self._reason: str | None = None

    @property
    def reason(self) -> str | None:
        """Why recognition is unavailable (None when it is available)."""
        self._ensure_loaded()
        return self._reason

    def available(self) -> bool:
        self._ensure_loaded()
        return self._handle is not None

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                self._reason = self._load()
                self._loaded = True
                if self._reason:
                    log.warning("handwriting recognition unavailable: %s", self._reason)

    def _load(self) -> str | None:
        """Open library and model; returns the reason for failure, or None."""
        try:
            lib = _load_library(self.library)
        except OSError as err:
            return f"library {self.library!r} missing ({err}); install libzinnia0"
        except AttributeError as err:
            return f"library {self.library!r} is not Zinnia ({err})"
        if not os.path.isfile(self.model):
            return f"model {self.model!r} missing; install tegaki-zinnia-simplified-chinese"
        try:
            with open(self.model, "rb") as f:
                header = f.read(_MIN_MODEL_BYTES)
        except OSError as err:
            return f"model {self.model!r} unreadable ({err.strerror or err})"
        if len(header) < _MIN_MODEL_BYTES:
            return f"model {self.model!r} unreadable (not a Zinnia model: too short)"
        handle = lib.zinnia_recognizer_new()
        if not handle:
            return "zinnia_recognizer_new failed"
        if lib.zinnia_recognizer_open(handle, os.fsencode(self.model)) != 1:
            error = (lib.zinnia_recognizer_strerror(handle) or b"").decode("utf-8", "replace")
            lib.zinnia_recognizer_destroy(handle)
            return f"model {self.model!r} unreadable ({error or 'zinnia could not open it'})"
        self._lib, self._handle = lib, handle
        # Tests build many apps; free each model's C object when its Recognizer goes.
        weakref.finalize(self, lib.zinnia_recognizer_destroy, handle)
        return None

    def recognize(self, strokes: Strokes, n: int = 10) -> list[str]:
        """Up to ``n`` candidate characters, best first. Raises ``HandwritingUnavailable``
        when the library or model is missing (check ``available()`` first)."""
        if not 1 <= n <= MAX_CANDIDATES:
            raise ValueError(f"n must be from 1 to {MAX_CANDIDATES}")
        if not self.available():
            raise HandwritingUnavailable(self._reason)
        points = normalise(strokes)
        lib = self._lib
        with self._lock:
            character = lib.zinnia_character_new()
            try:
                lib.zinnia_character_set_width(character, NORMAL_BOX)
                lib.zinnia_character_set_height(character, NORMAL_BOX)
                for stroke_id, stroke in enumerate(points):
                    for x, y in stroke:
                        lib.zinnia_character_add(character, stroke_id, x, y)
                result = lib.zinnia_recognizer_classify(self._handle, character, n)
                if not result:  # Zinnia returns NULL for input it cannot read
                    return []
                try:
                    return [lib.zinnia_result_value(result, i).decode("utf-8", "replace")
                            for i in range(lib.zinnia_result_size(result))]
                finally:
                    lib.zinnia_result_destroy(result)
            finally:
                lib.zinnia_character_destroy(character)


def get_recognizer(app) -> Recognizer:
    """The app's one Recognizer (created at the first call, loaded at its first use), from
    the ``HANDWRITING_LIBRARY`` / ``HANDWRITING_MODEL`` settings."""
    recognizer = app.extensions.get(EXTENSION_KEY)
    if recognizer is None:
        recognizer = app.extensions.setdefault(EXTENSION_KEY, Recognizer(
            library=app.config["HANDWRITING_LIBRARY"], model=app.config["HANDWRITING_MODEL"]))
    return recognizer
