"""Notice bodies are the only HTML that reaches a screen, so they are cleaned once, on import.

Everything else in a content file is plain text that templates escape; ``body`` alone is a rich
text fragment, reduced by nh3 to a small set of formatting tags and images whose ``src`` is a
relative path or an http(s) URL (no ``javascript:``, ``data:`` or protocol-relative ``//host``).
"""

from __future__ import annotations

import nh3

from .fields import is_http_url, is_safe_relative

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "h2", "h3", "span", "img"}
)
ALLOWED_ATTRIBUTES = {"img": {"src", "alt"}}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        value = value.strip()
        return value if is_http_url(value) or is_safe_relative(value) else None
    return value


def clean_html(body: str) -> str:
    """The sanitised fragment: allowed tags only, ``<script>``/``<style>`` dropped with content."""
    return nh3.clean(
        body,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https"},
        strip_comments=True,
    ).strip()
