"""Property tests: generated consistent reports survive every layout, and one broken cell
fails exactly the checks that name it."""

from __future__ import annotations

from disclosure_factory import (
    bumped,
    cells,
    expected_failures,
    failures,
    mixed_format,
    reports,
    without_checks,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.services.disclosure import check_report, parse_report, render_html, render_text

SETTINGS = settings(max_examples=50, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

LAYOUTS = st.sampled_from([
    ("text", False, None),
    ("text", True, None),
    ("text", False, mixed_format),
    ("text", True, mixed_format),
    ("html-merged", False, None),
    ("html-merged", True, mixed_format),
    ("html-flat", True, None),
    ("html-flat", False, mixed_format),
])


def write(report: dict, layout: tuple) -> bytes:
    form, blanks, fmt = layout
    if form == "text":
        return render_text(report, blanks_for_zero=blanks, fmt=fmt).encode()
    return render_html(report, blanks_for_zero=blanks, merged=form == "html-merged",
                       fmt=fmt).encode()


@SETTINGS
@given(report=reports(), layout=LAYOUTS)
def test_consistent_reports_round_trip_and_pass(report, layout):
    parsed = parse_report(write(report, layout))
    assert without_checks(parsed) == report
    assert all(c["ok"] for c in parsed["checks"]), [c for c in parsed["checks"] if not c["ok"]]


@SETTINGS
@given(report=reports(), data=st.data())
def test_one_broken_cell_fails_exactly_its_checks(report, data):
    cell = data.draw(st.sampled_from(cells(report)), label="cell")
    delta = data.draw(st.integers(1, 500), label="delta")
    layout = data.draw(LAYOUTS, label="layout")
    previous = {"year": report["year"] - 1,
                "applications": {"carried_forward": list(report["applications"]
                                                         ["carried_over"])}}
    broken = bumped(report, cell, delta)
    checks = check_report(broken, previous)
    expected = expected_failures(checks, cell)
    assert failures(checks) == expected
    # the cell's row and column decide the set: 0 (主动公开) to 3 checks, never more
    assert len(expected) <= 3
    parsed = parse_report(write(broken, layout), previous=previous)
    assert without_checks(parsed) == broken
    assert parsed["checks"] == checks


@SETTINGS
@given(report=reports())
def test_check_report_is_stable(report):
    checks = check_report(report)
    assert [c["rule"] for c in checks] == [c["rule"] for c in check_report(report)]
    assert len(checks) == 42
    assert all(c["ok"] for c in checks)
