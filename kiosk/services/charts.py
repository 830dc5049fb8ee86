"""Small server-rendered inline SVG charts for the screen slides.

Screens get finished HTML (no chart library, no script), so every chart here is a function
returning an ``<svg>`` as :class:`markupsafe.Markup`. Every label goes through
:func:`markupsafe.escape`; numbers are formatted here. Text in the SVG uses ``currentColor``
and inherits the page's font, so the slide's CSS decides colour and typeface.

Registered as Jinja globals by the app (see :data:`JINJA_GLOBALS`)::

    app.jinja_env.globals.update(charts.JINJA_GLOBALS)
"""

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

__all__ = [
    "JINJA_GLOBALS",
    "LEVEL_COLORS",
    "PALETTE",
    "bar_chart",
    "fmt_number",
    "line_chart",
    "pair_bars",
    "percent",
    "rate_color",
    "rate_ring",
    "share_format",
    "stacked_bar",
]


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


#: Everything the slide templates call, for ``app.jinja_env.globals.update(JINJA_GLOBALS)``.
JINJA_GLOBALS: dict[str, object] = {
    "bar_chart": bar_chart,
    "rate_ring": rate_ring,
    "line_chart": line_chart,
    "stacked_bar": stacked_bar,
    "pair_bars": pair_bars,
    "share_format": share_format,
    "percent": percent,
    "fmt_number": fmt_number,
    "rate_color": rate_color,
    "LEVEL_COLORS": LEVEL_COLORS,
}
