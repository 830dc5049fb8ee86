"""Bar-like charts: horizontal bars, the rate ring, a stacked share bar, before/after pairs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from .base import (
    GRID,
    TRACK,
    Number,
    _color,
    _formatter,
    _n,
    _svg,
    _text_units,
    fmt_number,
    percent,
    rate_color,
)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    width: int,
    height: int,
    colors: Sequence[str] | None = None,
    horizontal: bool = False,
    max_value: Number | None = None,
    value_format: str | Callable[[Number], str] | None = None,
    font_size: float | None = None,
    title: str | None = None,
) -> Markup:
    """A bar chart with the value written on each bar.

    Vertical bars (default) put the labels under the bars; ``horizontal=True`` puts them in a
    column on the left, which suits long labels (disclosure outcomes). ``colors`` cycles per
    bar. ``None`` values draw no bar and print "—". Font size is derived from the box and the
    longest label unless given, so labels never overlap.
    """
    labels = [str(x) for x in labels]
    vals: list[Number | None] = list(values)[: len(labels)]
    vals += [None] * (len(labels) - len(vals))
    fmt = _formatter(value_format)
    n = max(len(labels), 1)
    top = max((v for v in vals if v is not None), default=0)
    scale_max = max_value if max_value is not None else top
    scale_max = scale_max if scale_max and scale_max > 0 else 1
    body: list[str] = []
    aria = title or "，".join(f"{lab} {fmt(v)}" for lab, v in zip(labels, vals, strict=True))

    if not horizontal:
        slot = width / n
        longest = max((_text_units(x) for x in labels), default=1)
        fs = font_size or max(10.0, min(height * 0.085, slot * 0.92 / longest, slot * 0.5))
        label_h = fs * 1.5
        value_h = fs * 1.5
        plot_top, plot_bottom = value_h, height - label_h
        plot_h = max(plot_bottom - plot_top, 1)
        bar_w = slot * 0.58
        body.append(
            f'<line x1="0" y1="{_n(plot_bottom)}" x2="{_n(width)}" y2="{_n(plot_bottom)}" '
            f'stroke="{GRID}" stroke-width="{_n(max(fs * 0.08, 1))}"/>'
        )
        for i, (lab, v) in enumerate(zip(labels, vals, strict=True)):
            cx = slot * i + slot / 2
            if v is not None and v > 0:
                h = max(plot_h * min(v / scale_max, 1), fs * 0.15)
                body.append(
                    f'<rect x="{_n(cx - bar_w / 2)}" y="{_n(plot_bottom - h)}" width="{_n(bar_w)}" '
                    f'height="{_n(h)}" rx="{_n(min(bar_w * 0.08, fs * 0.3))}" fill="{_color(colors, i)}"/>'
                )
                vy = plot_bottom - h - fs * 0.35
            else:
                vy = plot_bottom - fs * 0.35
            body.append(
                f'<text x="{_n(cx)}" y="{_n(vy)}" text-anchor="middle" font-size="{_n(fs)}" '
                f'font-weight="700" fill="currentColor">{escape(fmt(v))}</text>'
            )
            body.append(
                f'<text x="{_n(cx)}" y="{_n(height - fs * 0.35)}" text-anchor="middle" '
                f'font-size="{_n(fs)}" fill="currentColor" fill-opacity="0.85">{escape(lab)}</text>'
            )
        return _svg(width, height, "bar", aria, body)

    row = height / n
    fs = font_size or max(10.0, min(row * 0.5, width / 17))
    label_w = min(max((_text_units(x) for x in labels), default=1) * fs + fs * 0.6, width * 0.45)
    value_w = max((_text_units(fmt(v)) for v in vals), default=1) * fs * 1.05 + fs * 0.5
    plot_w = max(width - label_w - value_w, 1)
    bar_h = min(row * 0.62, fs * 1.25)
    for i, (lab, v) in enumerate(zip(labels, vals, strict=True)):
        cy = row * i + row / 2
        body.append(
            f'<text x="{_n(label_w - fs * 0.5)}" y="{_n(cy)}" text-anchor="end" dominant-baseline="central" '
            f'font-size="{_n(fs)}" fill="currentColor" fill-opacity="0.85">{escape(lab)}</text>'
        )
        body.append(
            f'<rect x="{_n(label_w)}" y="{_n(cy - bar_h / 2)}" width="{_n(plot_w)}" height="{_n(bar_h)}" '
            f'rx="{_n(bar_h * 0.18)}" fill="{TRACK}" fill-opacity="0.45"/>'
        )
        w = 0.0
        if v is not None and v > 0:
            w = max(plot_w * min(v / scale_max, 1), fs * 0.2)
            body.append(
                f'<rect x="{_n(label_w)}" y="{_n(cy - bar_h / 2)}" width="{_n(w)}" height="{_n(bar_h)}" '
                f'rx="{_n(bar_h * 0.18)}" fill="{_color(colors, i)}"/>'
            )
        body.append(
            f'<text x="{_n(label_w + w + fs * 0.4)}" y="{_n(cy)}" dominant-baseline="central" '
            f'font-size="{_n(fs)}" font-weight="700" fill="currentColor">{escape(fmt(v))}</text>'
        )
    return _svg(width, height, "hbar", aria, body)


def rate_ring(
    rate: float | None,
    *,
    size: int,
    label: str = "好评率",
    color: str | None = None,
    thickness: float | None = None,
    digits: int = 1,
    empty_label: str = "暂无数据",
) -> Markup:
    """A ring gauge for a 0..1 rate with the percentage in the middle and ``label`` below it.

    ``None`` draws the empty track with "—" and ``empty_label``. The arc colour follows
    :func:`rate_color` unless ``color`` is given.
    """
    thickness = thickness or size * 0.1
    r = (size - thickness) / 2
    c = size / 2
    circ = 2 * math.pi * r
    body = [
        f'<circle cx="{_n(c)}" cy="{_n(c)}" r="{_n(r)}" fill="none" stroke="{TRACK}" '
        f'stroke-width="{_n(thickness)}"/>'
    ]
    if rate is not None and not math.isnan(rate):
        clamped = min(max(rate, 0.0), 1.0)
        arc = circ * clamped
        stroke = escape(color or rate_color(rate))
        if arc > 0:
            body.append(
                f'<circle cx="{_n(c)}" cy="{_n(c)}" r="{_n(r)}" fill="none" stroke="{stroke}" '
                f'stroke-width="{_n(thickness)}" stroke-linecap="{"butt" if clamped >= 1 else "round"}" '
                f'stroke-dasharray="{_n(arc)} {_n(circ)}" transform="rotate(-90 {_n(c)} {_n(c)})"/>'
            )
        big, small = percent(rate, digits), label
    else:
        big, small = "—", empty_label
    inner = size - 2 * thickness
    big_fs = min(size * 0.2, inner * 0.92 / _text_units(big))
    small_fs = min(size * 0.085, inner * 0.8 / _text_units(small or " "))
    body.append(
        f'<text x="{_n(c)}" y="{_n(c + big_fs * 0.2)}" text-anchor="middle" font-size="{_n(big_fs)}" '
        f'font-weight="700" fill="currentColor">{escape(big)}</text>'
    )
    if small:
        body.append(
            f'<text x="{_n(c)}" y="{_n(c + big_fs * 0.2 + small_fs * 1.5)}" text-anchor="middle" '
            f'font-size="{_n(small_fs)}" fill="currentColor" fill-opacity="0.8">{escape(small)}</text>'
        )
    return _svg(size, size, "ring", f"{small} {big}", body, align="xMidYMid")


def stacked_bar(
    values: Sequence[Number | None],
    *,
    width: int,
    height: int,
    colors: Sequence[str] | None = None,
    title: str | None = None,
) -> Markup:
    """One horizontal bar split into segments proportional to ``values`` (no text: the slide
    writes the legend in HTML). All zero draws only the track. It stretches to fill its box
    (``preserveAspectRatio="none"``): give it the box's proportions to keep the corners round."""
    vals = [max(float(v or 0), 0.0) for v in values]
    total = sum(vals)
    radius = height * 0.18
    body = [
        f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" rx="{_n(radius)}" '
        f'fill="{TRACK}" fill-opacity="0.45"/>'
    ]
    if total > 0:
        gap = min(height * 0.08, 4) if sum(1 for v in vals if v > 0) > 1 else 0
        x = 0.0
        shown = [(i, v) for i, v in enumerate(vals) if v > 0]
        for n, (i, v) in enumerate(shown):
            w = width * v / total
            draw = max(w - (gap if n < len(shown) - 1 else 0), min(w, 2))
            body.append(
                f'<rect x="{_n(x)}" y="0" width="{_n(draw)}" height="{_n(height)}" '
                f'rx="{_n(min(radius, draw / 2))}" fill="{_color(colors, i)}"/>'
            )
            x += w
    aria = title or "，".join(fmt_number(v) for v in values)
    return _svg(width, height, "stacked", aria, body, align="none")


def pair_bars(
    before: Number | None,
    after: Number | None,
    *,
    width: int,
    height: int,
    max_value: Number | None = None,
    colors: Sequence[str] = ("rgba(191,210,242,0.55)", "#4fc3ff"),
    title: str | None = None,
) -> Markup:
    """Two thin horizontal bars, last year's above this year's, on the same scale (the larger
    of the two unless ``max_value``): a year-over-year row. No text; ``None`` draws no bar.
    Stretches to fill its box, like :func:`stacked_bar`."""
    top = max_value if max_value is not None else max(before or 0, after or 0)
    top = top if top and top > 0 else 1
    bar_h = height * 0.36
    gap = height - 2 * bar_h
    body = []
    for i, v in enumerate((before, after)):
        y = i * (bar_h + gap)
        body.append(
            f'<rect x="0" y="{_n(y)}" width="{_n(width)}" height="{_n(bar_h)}" '
            f'rx="{_n(bar_h * 0.25)}" fill="{TRACK}" fill-opacity="0.35"/>'
        )
        if v is not None and v > 0:
            w = max(width * min(v / top, 1), 3)
            body.append(
                f'<rect x="0" y="{_n(y)}" width="{_n(w)}" height="{_n(bar_h)}" '
                f'rx="{_n(bar_h * 0.25)}" fill="{escape(colors[i % len(colors)])}"/>'
            )
    aria = title or f"{fmt_number(before)} → {fmt_number(after)}"
    return _svg(width, height, "pair", aria, body, align="none")


