"""The vendored Noto Sans SC declared for exactly the characters of one page.

The phone page (``/g/<code>``) must stay small (HTML + CSS ≤ 60 KB before images, issue 8)
and still show Chinese on a phone or player without a CJK font. The vendored stylesheet
(``static/vendor/noto-sans-sc/noto-sans-sc.css``) declares ~200 ``unicode-range`` slices in
185 KB; a page needs a few hundred characters out of a few dozen slices. This module reads
that stylesheet once and writes, for a given text, only the ``@font-face`` rules of the slices
that text touches, each narrowed to the characters it actually uses — a few KB, inlined in the
page. The font files are the same vendored slices, so nothing new is downloaded, and a phone
that has its own Chinese font (listed first in the page's ``font-family``) downloads nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_RULE = re.compile(r"@font-face\s*\{([^}]*)\}")
_WEIGHT = re.compile(r"font-weight:\s*(\d+)")
_URL = re.compile(r"url\(([^)]+)\)")
_RANGE = re.compile(r"unicode-range:\s*([^;]+)")
FAMILY = "Noto Sans SC"


@dataclass(frozen=True)
class Slice:
    weight: int
    url: str  # relative to the stylesheet, as written there
    ranges: tuple[tuple[int, int], ...]  # sorted, inclusive


def _parse_ranges(text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for part in text.split(","):
        part = part.strip().upper().removeprefix("U+")
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.append((int(lo, 16), int(hi or lo, 16)))
    return tuple(sorted(out))


@lru_cache(maxsize=4)
def slices(stylesheet: str) -> tuple[Slice, ...]:
    """The slices the stylesheet declares (read once per process)."""
    css = Path(stylesheet).read_text(encoding="utf-8")
    found = []
    for body in _RULE.findall(css):
        weight, url, ranges = _WEIGHT.search(body), _URL.search(body), _RANGE.search(body)
        if weight and url and ranges:
            found.append(Slice(int(weight.group(1)), url.group(1).strip("'\""), _parse_ranges(ranges.group(1))))
    return tuple(found)


@lru_cache(maxsize=4)
def _index(stylesheet: str) -> dict[int, tuple[list[int], list[tuple[int, int, Slice]]]]:
    """Per weight: range starts (for bisect) and (start, end, slice), sorted by start."""
    by_weight: dict[int, list[tuple[int, int, Slice]]] = {}
    for s in slices(stylesheet):
        by_weight.setdefault(s.weight, []).extend((lo, hi, s) for lo, hi in s.ranges)
    out = {}
    for weight, entries in by_weight.items():
        entries.sort(key=lambda e: e[0])
        out[weight] = ([e[0] for e in entries], entries)
    return out


def _compact(points: list[int]) -> str:
    """``U+4e00-4e02,U+4e05`` for sorted code points."""
    parts = []
    start = prev = points[0]
    for cp in points[1:] + [None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        parts.append(f"U+{start:x}" if start == prev else f"U+{start:x}-{prev:x}")
        if cp is not None:
            start = prev = cp
    return ",".join(parts)


def font_face_css(text: str, stylesheet: str, files_url: str, weights: tuple[int, ...] = (400, 700)) -> str:
    """``@font-face`` rules for the characters of ``text`` in ``weights``.

    ``files_url`` is the URL prefix that the stylesheet's relative ``url(files/…)`` are
    resolved against (the stylesheet's own folder URL, ending in ``/``).
    """
    chars = sorted({ord(c) for c in text if ord(c) > 0x20})
    index = _index(stylesheet)
    rules = []
    for weight in weights:
        if weight not in index:
            continue
        starts, entries = index[weight]
        used: dict[str, list[int]] = {}
        for cp in chars:
            i = bisect_right(starts, cp) - 1
            if i >= 0 and entries[i][0] <= cp <= entries[i][1]:
                used.setdefault(entries[i][2].url, []).append(cp)
        for url, points in sorted(used.items()):
            rules.append(
                f"@font-face{{font-family:'{FAMILY}';font-weight:{weight};font-display:swap;"
                f"src:url({files_url}{url}) format('woff2');unicode-range:{_compact(points)}}}"
            )
    return "\n".join(rules)
