"""Series over time: the line chart and the share formatter its labels use."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from .base import GRID, Number, _n, _svg, _text_units, fmt_number, percent


def line_chart(
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    width: int,
    height: int,
    color: str = "#4fc3ff",
    as_percent: bool = True,
    y_min: float | None = None,
    y_max: float | None = None,
    font_size: float | None = None,
    title: str | None = None,
) -> Markup:
    """A small trend line (e.g. the last six months' 好评率) with each point's value above it.

    ``None`` values leave a gap. With ``as_percent`` values are 0..1 rates printed as
    percentages and the axis tops out at 100%; the bottom is fitted to the data so a
    98%→99% change is still visible.
    """
    labels = [str(x) for x in labels]
    vals: list[Number | None] = list(values)[: len(labels)]
    vals += [None] * (len(labels) - len(vals))
    fmt = (lambda v: percent(v)) if as_percent else fmt_number
    n = max(len(labels), 1)
    slot = width / n
    longest = max((_text_units(x) for x in labels), default=1)
    value_units = max((_text_units(fmt(v)) for v in vals), default=1)
    fs = font_size or max(10.0, min(height * 0.12, slot * 0.9 / max(longest, value_units)))
    present = [v for v in vals if v is not None]
    hi = y_max if y_max is not None else (1.0 if as_percent else max(present, default=1))
    if y_min is not None:
        lo = y_min
    elif present:
        span = (max(present) - min(present)) or (
            0.05 if as_percent else max(abs(max(present)), 1) * 0.1
        )
        lo = min(present) - span * 0.6
        if as_percent:
            lo = max(0.0, math.floor(lo * 20) / 20)
        hi = max(hi, max(present))
    else:
        lo = 0.0
    if hi <= lo:
        hi = lo + 1
    plot_top, plot_bottom = fs * 1.9, height - fs * 1.6
    plot_h = max(plot_bottom - plot_top, 1)

    def y(v: float) -> float:
        return plot_bottom - (v - lo) / (hi - lo) * plot_h

    body = [
        f'<line x1="0" y1="{_n(plot_bottom)}" x2="{_n(width)}" y2="{_n(plot_bottom)}" '
        f'stroke="{GRID}" stroke-width="{_n(max(fs * 0.06, 1))}"/>'
    ]
    stroke = escape(color)
    segments: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(vals):
        if v is None:
            segments.append([])
        else:
            segments[-1].append((slot * i + slot / 2, y(v)))
    for seg in segments:
        if len(seg) > 1:
            pts = " ".join(f"{_n(x)},{_n(yy)}" for x, yy in seg)
            area = f"{_n(seg[0][0])},{_n(plot_bottom)} {pts} {_n(seg[-1][0])},{_n(plot_bottom)}"
            body.append(f'<polygon points="{area}" fill="{stroke}" fill-opacity="0.16"/>')
            body.append(
                f'<polyline points="{pts}" fill="none" stroke="{stroke}" stroke-width="{_n(fs * 0.16)}" '
                f'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    for i, (lab, v) in enumerate(zip(labels, vals, strict=True)):
        cx = slot * i + slot / 2
        if v is not None:
            cy = y(v)
            body.append(
                f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(fs * 0.26)}" fill="{stroke}" '
                f'stroke="#0b1e3f" stroke-width="{_n(fs * 0.08)}"/>'
            )
            body.append(
                f'<text x="{_n(cx)}" y="{_n(cy - fs * 0.55)}" text-anchor="middle" font-size="{_n(fs)}" '
                f'font-weight="700" fill="currentColor">{escape(fmt(v))}</text>'
            )
        else:
            body.append(
                f'<text x="{_n(cx)}" y="{_n(plot_bottom - fs * 0.4)}" text-anchor="middle" '
                f'font-size="{_n(fs)}" fill="currentColor" fill-opacity="0.5">—</text>'
            )
        body.append(
            f'<text x="{_n(cx)}" y="{_n(height - fs * 0.3)}" text-anchor="middle" font-size="{_n(fs)}" '
            f'fill="currentColor" fill-opacity="0.85">{escape(lab)}</text>'
        )
    aria = title or "，".join(f"{lab} {fmt(v)}" for lab, v in zip(labels, vals, strict=True))
    return _svg(width, height, "line", aria, body)


def share_format(total: Number | None, digits: int = 1, sep: str = " · ") -> Callable[[Number], str]:
    """A ``value_format`` for :func:`bar_chart` that adds each value's share of ``total``:
    ``1234`` → ``"1,234 · 45.2%"`` (just the number when ``total`` is 0 or None)."""

    def fmt(value: Number) -> str:
        if not total:
            return fmt_number(value)
        return f"{fmt_number(value)}{sep}{percent(value / total, digits)}"

    return fmt


