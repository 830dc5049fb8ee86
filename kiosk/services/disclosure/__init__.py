"""政府信息公开工作年度报告 (2021 template, 国办公开办函〔2021〕30号): parse and check.

``parse_report`` reads a report as published — text copied from the agency's page, the
page's HTML, or the Word ``.docx`` — into one JSON-ready dict (see ``docs/disclosure.md``)
and runs ``check_report`` on it, so a report whose 勾稽关系 do not add up is flagged before
it is shown on a hall screen. Files that cannot be read without guessing (binary, empty,
truncated, the 2019 template) raise :class:`DisclosureError` instead of yielding numbers.
"""

from __future__ import annotations

from typing import Any

from .checks import check_report
from .errors import DisclosureError
from .interpret import interpret
from .readers import read
from .render import render_html, render_text

__all__ = ["DisclosureError", "check_report", "parse_report", "render_html", "render_text"]


def parse_report(data: bytes, filename: str = "", previous: dict | None = None) -> dict[str, Any]:
    """Parse one annual report; ``previous`` (last year's report dict) enables the
    ``carry_over`` checks. The result carries its checks under ``"checks"``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_report() takes the file's bytes")
    report = interpret(read(bytes(data), filename), filename)
    report["checks"] = check_report(report, previous)
    return report
