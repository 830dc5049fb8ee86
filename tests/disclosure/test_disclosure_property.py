"""Property tests: generated consistent reports survive every layout, and one broken cell
fails exactly the checks the template's rules say it must — derived from the cell's row and
column (``rules_broken_by``), not from the checker's own ``cells`` lists."""

from __future__ import annotations

from disclosure_factory import (
    cells,
    changed,
    checked_cells,
    failing,
    get_cell,
    mixed_format,
    reports,
    rules_broken_by,
    without_checks,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.services.disclosure import check_report, parse_report, render_html, render_text
from kiosk.services.disclosure import template as t

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


def last_year(report: dict) -> dict:
    """A previous-year report whose 结转下年度 matches this year's 上年结转."""
    return {"year": report["year"] - 1,
            "applications": {"carried_forward": list(report["applications"]["carried_over"])}}


@st.composite
def broken_cells(draw, report: dict, pool: list[str]) -> tuple[str, int]:
    """A cell and its new value: raised, lowered, or lowered to 0 (a blank cell when zeros
    are written blank — the case where a row's 总计 goes missing)."""
    nonzero = [c for c in pool if get_cell(report, c)]
    how = draw(st.sampled_from(["raise", "lower", "zero"] if nonzero else ["raise"]), label="how")
    cell = draw(st.sampled_from(pool if how == "raise" else nonzero), label="cell")
    value = get_cell(report, cell)  # an int, or a float for 万元 (two decimals)

    def exact(v):  # 30.56 - 15 is 15.559999… in floats; the report says 15.56
        return round(v, 2) if isinstance(value, float) else v

    if how == "raise":
        return cell, exact(value + draw(st.integers(1, 500), label="delta"))
    if how == "lower" and value >= 2:  # room for a whole delta that leaves it above 0
        return cell, exact(value - draw(st.integers(1, int(value) - 1), label="delta"))
    return cell, 0


@SETTINGS
@given(report=reports(), layout=LAYOUTS)
def test_consistent_reports_round_trip_and_pass(report, layout):
    parsed = parse_report(write(report, layout))
    assert without_checks(parsed) == report
    assert all(c["ok"] for c in parsed["checks"]), [c for c in parsed["checks"] if not c["ok"]]


@SETTINGS
@given(report=reports(), data=st.data())
def test_one_broken_cell_fails_exactly_its_checks(report, data):
    cell, value = data.draw(broken_cells(report, checked_cells()), label="broken")
    layout = data.draw(LAYOUTS, label="layout")
    with_previous = data.draw(st.booleans(), label="with_previous")
    previous = last_year(report) if with_previous else None
    broken = changed(report, cell, value)
    expected = rules_broken_by(cell, with_previous)
    assert expected, cell  # every cell outside 主动公开 is in at least one equation
    checks = check_report(broken, previous)
    assert failing(checks, with_previous) == expected
    # and the same after writing the broken report out and reading it back: a parser that
    # moved a number to another column would fail other checks, or none
    parsed = parse_report(write(broken, layout), previous=previous)
    assert without_checks(parsed) == broken
    assert failing(parsed["checks"], with_previous) == expected


BLANK_LAYOUTS = st.sampled_from([("text", True, None), ("text", True, mixed_format),
                                  ("html-merged", True, None), ("html-flat", True, None)])


@SETTINGS
@given(report=reports(), layout=BLANK_LAYOUTS)
def test_a_blank_total_is_read_in_its_own_column(report, layout):
    """Every row in turn loses its 总计 (written as a blank cell): the parts stay in their
    columns and only the row's own equations fail — the numbers are never shifted to make
    a passing total out of the parts."""
    for path in t.APPLICATION_PATHS:
        cell = f"{t.path_name(path)}[6]"
        if not get_cell(report, cell):
            continue
        broken = changed(report, cell, 0)
        parsed = parse_report(write(broken, layout))
        assert without_checks(parsed) == broken, cell
        assert failing(parsed["checks"], False) == rules_broken_by(cell, False), cell


@SETTINGS
@given(report=reports(), data=st.data())
def test_proactive_figures_are_in_no_check(report, data):
    """主动公开 figures have no arithmetic relation: changing one fails nothing."""
    cell, value = data.draw(broken_cells(report, [c for c in cells() if c.startswith("proactive.")]),
                            label="broken")
    broken = changed(report, cell, value)
    parsed = parse_report(write(broken, data.draw(LAYOUTS, label="layout")))
    assert without_checks(parsed) == broken
    assert failing(parsed["checks"], False) == set()


@SETTINGS
@given(report=reports())
def test_check_report_is_stable(report):
    checks = check_report(report)
    assert [c["rule"] for c in checks] == [c["rule"] for c in check_report(report)]
    assert len(checks) == 42
    assert failing(checks, False) == set()
