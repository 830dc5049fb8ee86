"""``docs/reliability.md`` is written from test results, never by hand (issue 10).

A test that tries a fault or an input class is marked
``@pytest.mark.reliability("what was tried", "how", "what must happen")``. With
``KIOSK_RELIABILITY_REPORT=<path>`` (``make reliability``) the run writes a table of every
marked test with its outcome to that path; a test that failed is listed as failed, so the
document never claims more than the run showed.
"""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

import pytest

_RESULTS: dict[str, dict] = {}


def tag(item: pytest.Item, report: pytest.TestReport) -> None:
    """Carry the marker's words on the report (``user_properties`` cross from a pytest-xdist
    worker to the controller, where the table is written; the item does not)."""
    marker = item.get_closest_marker("reliability")
    if marker is not None:
        report.user_properties.append(("reliability", list(marker.args)))


def record(report: pytest.TestReport) -> None:
    args = next((value for key, value in report.user_properties if key == "reliability"), None)
    if args is None:
        return
    entry = _RESULTS.setdefault(report.nodeid, {"args": tuple(args), "outcome": "passed"})
    if report.failed:
        entry["outcome"] = "failed"
    elif report.skipped and entry["outcome"] != "failed":
        entry["outcome"] = "skipped"


def write(path: str) -> None:
    rows = sorted(_RESULTS.items(), key=lambda kv: (kv[1]["args"][0], kv[0]))
    mark = {"passed": "✅ 通过", "failed": "❌ 失败", "skipped": "⏭ 未运行"}
    lines = [
        "# Reliability: faults and hostile input tried, and what happened",
        "",
        "Written by `make reliability` from the tests marked `reliability` "
        "(`tests/reliability.py`); do not edit by hand. Each row is one test: what was tried, "
        "how, what must happen, and the outcome of that run.",
        "",
        f"Run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} CPUs · Python "
        f"{platform.python_version()} · {platform.system()} {platform.release()} · "
        f"{sum(1 for _, e in rows if e['outcome'] == 'passed')} of {len(rows)} passed.",
        "",
        "| Tried | How | Must happen | Result | Test |",
        "|---|---|---|---|---|",
    ]
    for nodeid, entry in rows:
        tried, how, expect = (list(entry["args"]) + ["", "", ""])[:3]
        lines.append(f"| {tried} | {how} | {expect} | {mark[entry['outcome']]} | `{nodeid}` |")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
