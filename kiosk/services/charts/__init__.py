"""Small server-rendered inline SVG charts for the screen slides.

Screens get finished HTML (no chart library, no script), so every chart here is a function
returning an ``<svg>`` as :class:`markupsafe.Markup`. Every label goes through
:func:`markupsafe.escape`; numbers are formatted here. Text in the SVG uses ``currentColor``
and inherits the page's font, so the slide's CSS decides colour and typeface.

Registered as Jinja globals by the app (see :data:`JINJA_GLOBALS`)::

    app.jinja_env.globals.update(charts.JINJA_GLOBALS)
"""

from __future__ import annotations

from .bars import bar_chart, pair_bars, rate_ring, stacked_bar
from .base import LEVEL_COLORS, PALETTE, fmt_number, percent, rate_color
from .lines import line_chart, share_format

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
