"""Numbers stay in their columns when cells are blank: every form, the confirmed case first.

The issue's audit found a text row of 一、本年新收 with parts [0,1,0,0,0,1] and its 总计 left
blank read as [0,0,1,0,0,0,1] — the row then "added up" and only the balance check failed,
on the wrong columns. The expected failures here come from the template's rules
(``rules_broken_by``), not from the checker's ``cells``.
"""

from __future__ import annotations

import pytest
from disclosure_factory import (
    broken_by,
    build_docx,
    changed,
    city_report,
    failing,
    rules_broken_by,
    without_checks,
    zero_report,
)

from kiosk.services.disclosure import DisclosureError, parse_report, render_html, render_text
from kiosk.services.disclosure import template as t

FORMS = ["text", "html-merged", "html-flat", "docx-merged", "docx-flat"]


def write(report: dict, form: str) -> tuple[bytes, str]:
    """``report`` with every zero written as a blank cell, in one of the FORMS."""
    if form == "text":
        return render_text(report, blanks_for_zero=True).encode(), "report.txt"
    if form.startswith("html"):
        return render_html(report, True, form == "html-merged").encode(), "report.html"
    return build_docx(report, merged=form == "docx-merged", blanks_for_zero=True), "report.docx"


def with_row(path: tuple[str, ...], values: list[int], base: dict | None = None) -> dict:
    report = base or zero_report()
    for col, value in enumerate(values):
        report = changed(report, f"{t.path_name(path)}[{col}]", value)
    return report


def expected(path: tuple[str, ...], values: list[int]) -> set:
    """The checks a zero report with this row written fails (from the template's rules)."""
    return broken_by({f"{t.path_name(path)}[{col}]": v for col, v in enumerate(values)})


def get(report: dict, path: tuple[str, ...]) -> list[int]:
    node = report["applications"]
    for part in path:
        node = node[part]
    return node


@pytest.mark.parametrize("form", FORMS)
def test_confirmed_case_blank_total_of_new_requests(form):
    report = with_row(("new",), [0, 1, 0, 0, 0, 1, 0])
    parsed = parse_report(*write(report, form))
    assert parsed["applications"]["new"] == [0, 1, 0, 0, 0, 1, 0]
    assert without_checks(parsed) == report
    # the row's own total fails, and the balance of exactly the 商业企业 and 其他 columns
    assert failing(parsed["checks"], False) == {
        ("row_total", ("new",)), ("balance", 1), ("balance", 5)}


ROWS = [("new",), ("carried_over",), ("granted",), ("partially_granted",),
        ("withheld", "third_party_rights"), ("withheld", "state_secret"),
        ("other", "other"), ("total",), ("carried_forward",)]
PATTERNS = {
    # 总计 blank, parts that a one-column shift would also make add up
    "blank-total": [0, 1, 0, 0, 0, 1, 0],
    "blank-total-dense": [3, 1, 2, 0, 4, 10, 0],
    # every part blank, only 总计 written
    "blank-parts": [0, 0, 0, 0, 0, 0, 4],
    # the last columns blank (其他 and 总计), numbers only on the left
    "trailing-blanks": [2, 0, 0, 0, 0, 0, 0],
    "trailing-blanks-two": [2, 5, 0, 0, 0, 0, 0],
    # leading blanks, a consistent row: nothing fails but the columns must still be right
    "leading-blanks": [0, 0, 0, 0, 3, 0, 3],
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("pattern", PATTERNS, ids=list(PATTERNS))
@pytest.mark.parametrize("path", ROWS, ids=[".".join(p) for p in ROWS])
def test_blank_cells_keep_their_column(form, pattern, path):
    values = PATTERNS[pattern]
    report = with_row(path, values)
    parsed = parse_report(*write(report, form))
    assert get(parsed, path) == values
    assert without_checks(parsed) == report
    assert failing(parsed["checks"], False) == expected(path, values)


@pytest.mark.parametrize("form", FORMS)
def test_blank_total_in_a_city_scale_report(form):
    """One blanked 总计 among thousands: only its row and its column's equations fail."""
    city = city_report()
    cell = "applications.withheld.third_party_rights[6]"
    broken = changed(city, cell, 0)
    parsed = parse_report(*write(broken, form))
    assert without_checks(parsed) == broken
    assert failing(parsed["checks"], False) == rules_broken_by(cell, False) == {
        ("row_total", ("withheld", "third_party_rights")), ("grand_total", 6)}


def _strip_trailing_tabs(text: str) -> str:
    return "\n".join(line.rstrip("\t") for line in text.splitlines())


def _with_rows(base: dict, rows: dict[tuple[str, ...], list[int]]) -> dict:
    for path, values in rows.items():
        base = with_row(path, values, base)
    return base


def test_trailing_tabs_stripped_rows_learn_their_layout_from_pinned_rows():
    """An editor removed every trailing tab, so a row's last blank cells are gone. The rows
    of the same shape whose 自然人 and 总计 are written (二、 四、 3.其他 of a city report)
    show where the numbers begin, so 一、 with a blank 总计 still reads in its columns."""
    report = with_row(("new",), [0, 1, 0, 0, 0, 1, 0], city_report())
    text = _strip_trailing_tabs(render_text(report, blanks_for_zero=True))
    assert not any(line.endswith("\t") for line in text.splitlines())
    parsed = parse_report(text.encode())
    assert without_checks(parsed) == report
    assert parsed["applications"]["new"] == [0, 1, 0, 0, 0, 1, 0]


def test_trailing_tabs_stripped_and_nothing_to_learn_from_is_refused():
    """No row of that shape has both 自然人 and 总计 written: [blank, blank, 1, blank, blank,
    blank, 1] could start at the echo cell or after it. The row is named, nothing guessed."""
    report = _with_rows(city_report(), {
        ("carried_over",): [0, 5, 5, 5, 5, 5, 25], ("carried_forward",): [0, 5, 5, 5, 5, 5, 25],
        ("other", "other"): [0, 5, 5, 5, 5, 5, 25], ("new",): [0, 1, 0, 0, 0, 1, 0]})
    text = _strip_trailing_tabs(render_text(report, blanks_for_zero=True))
    with pytest.raises(DisclosureError) as info:
        parse_report(text.encode())
    err = info.value
    assert "一、本年新收政府信息公开申请数量" in err.message and "填 0" in err.message
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("一、本年新收"))
    assert err.where == f"第 {line} 行 / line {line}"


def test_trailing_tabs_stripped_from_blank_rows_says_why_rows_are_missing():
    text = _strip_trailing_tabs(render_text(zero_report(), blanks_for_zero=True))
    with pytest.raises(DisclosureError) as info:
        parse_report(text.encode())
    assert "缺少" in info.value.message and "行尾制表符已被删除" in info.value.message


def test_a_row_that_lost_its_echo_cell_is_placed_when_its_numbers_pin_it():
    """A copy that dropped the empty cell after the label: one cell fewer than its
    neighbours. Written 自然人 and 总计 cells leave one possible window."""
    text = render_text(zero_report()).replace(
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t",
        "一、本年新收政府信息公开申请数量\t2\t\t\t\t\t1\t3\t")
    report = parse_report(text.encode())
    assert report["applications"]["new"] == [2, 0, 0, 0, 0, 1, 3]


def test_a_row_that_lost_a_cell_and_has_blank_edges_is_refused():
    """The same copy with 自然人 blank: [blank ×5, 2, 2, blank] is either 其他 2 / 总计 2 (the
    echo was lost) or 法律服务机构 2 / 其他 2 / 总计 blank (the padding was lost). The parser
    used to take whichever added up; now it names the row and asks for zeros."""
    text = render_text(zero_report()).replace(
        "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t",
        "一、本年新收政府信息公开申请数量\t\t\t\t\t\t2\t2\t")
    with pytest.raises(DisclosureError) as info:
        parse_report(text.encode())
    assert "一、本年新收政府信息公开申请数量" in info.value.message
    assert "[0, 0, 0, 0, 0, 2, 2]" in info.value.message
    assert "[0, 0, 0, 0, 2, 2, 0]" in info.value.message


def test_text_without_tabs_must_show_every_number():
    """Copied from a PDF viewer (no tabs): blank cells vanish, so a row with fewer numbers
    than columns cannot be placed and is named instead of being read from the left."""
    text = render_text(city_report())
    lines = []
    for line in text.splitlines():
        cells = [c for c in line.split("\t") if c]
        if line.startswith("\t\t4.保护第三方合法权益"):
            cells = cells[:3] + cells[4:]  # its 科研机构 cell was blank
        lines.append("   ".join(cells))
    with pytest.raises(DisclosureError) as info:
        parse_report("\n".join(lines).encode())
    assert "4.保护第三方合法权益" in info.value.message
    assert "只有 6 个数字" in info.value.message
