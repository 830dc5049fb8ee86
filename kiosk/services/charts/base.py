"""Shared pieces of the charts: number formatting, colours, the <svg> wrapper."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

Number = int | float

#: Default bar colours, chosen for a dark LED-wall background (bright, high contrast).
PALETTE = ("#4fc3ff", "#ffc940", "#3ddc84", "#ff8a4c", "#c792ff", "#ff6b8b", "#7ee0d4", "#f5f5f5")
#: Colours of the five 好差评 levels, 非常满意 … 非常不满意 (green → red).
LEVEL_COLORS = ("#2fd37a", "#9be15d", "#ffd23f", "#ff9a3c", "#ff5a4f")
TRACK = "rgba(255,255,255,0.16)"
GRID = "rgba(255,255,255,0.22)"

def _n(x: float) -> str:
    """A compact coordinate for the SVG source (two decimals, no trailing zeros)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_number(value: Number | None, *, empty: str = "—") -> str:
    """``1234`` → ``"1,234"``; floats keep at most two decimals; ``None`` → ``empty``."""
    if value is None:
        return empty
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return empty
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,}"


def percent(rate: float | None, digits: int = 1, *, empty: str = "—") -> str:
    """``0.9864`` → ``"98.6%"``; ``1.0`` → ``"100%"``; ``None`` → ``empty``."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return empty
    text = f"{rate * 100:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def rate_color(rate: float | None) -> str:
    """Traffic-light colour of a satisfaction / disclosure rate."""
    if rate is None:
        return "#8da2c0"
    if rate >= 0.95:
        return "#2fd37a"
    if rate >= 0.85:
        return "#ffc940"
    return "#ff5a4f"


def _color(colors: Sequence[str] | None, i: int) -> str:
    palette = colors or PALETTE
    return str(escape(palette[i % len(palette)]))


def _svg(
    width: float, height: float, kind: str, label: str, body: list[str], align: str = "xMidYMin"
) -> Markup:
    """The ``<svg>`` element. It keeps its aspect ratio when CSS sizes it to a box, sitting at
    the top of a taller box (``align``), so a chart lines up with its block title."""
    return Markup(
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'preserveAspectRatio="{align} meet" role="img" aria-label="{escape(label)}">'
        + "".join(body)
        + "</svg>"
    )


def _formatter(
    value_format: str | Callable[[Number], str] | None,
) -> Callable[[Number | None], str]:
    if value_format is None:
        return fmt_number
    if callable(value_format):
        fmt = value_format
        return lambda v: "—" if v is None else str(fmt(v))
    return lambda v: "—" if v is None else value_format.format(v)


def _text_units(text: str) -> float:
    """Approximate advance of ``text`` in em: CJK/full-width 1, ASCII ~0.55."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.56 for ch in text) or 1.0


