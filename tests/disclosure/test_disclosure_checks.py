"""Deliberately broken reports: each rule fails alone, one cell fails a predictable set."""

from __future__ import annotations

import copy

import pytest
from disclosure_factory import build_docx, bumped, city_report, without_checks

from kiosk.services.disclosure import check_report, parse_report, render_html, render_text

CITY = city_report()


def failed(checks: list[dict]) -> set[tuple[str, str]]:
    """Failing checks as (rule, first cell) — the first cell names the row or column."""
    return {(c["rule"], c["cells"][0]) for c in checks if not c["ok"]}


def through(form: str, report: dict, previous: dict | None = None) -> dict:
    """Write ``report`` in ``form`` and parse it back."""
    if form == "text":
        data = render_text(report).encode()
    elif form == "html":
        data = render_html(report, blanks_for_zero=True).encode()
    else:
        data = build_docx(report, merged=True)
    return parse_report(data, previous=previous)


def shifted(report: dict, first: str, second: str, delta: int = 7) -> dict:
    """+delta in one cell and -delta in another: sums over both stay the same."""
    return bumped(bumped(report, first, delta), second, -delta)


FORMS = ["text", "html", "docx"]


@pytest.mark.parametrize("form", FORMS)
def test_row_total_fails_alone(form):
    broken = shifted(CITY, "applications.withheld.state_secret[0]",
                     "applications.unable.not_held[0]")
    parsed = through(form, broken)
    assert without_checks(parsed) == broken
    assert failed(parsed["checks"]) == {
        ("row_total", "applications.withheld.state_secret[0]"),
        ("row_total", "applications.unable.not_held[0]"),
    }


@pytest.mark.parametrize("form", FORMS)
def test_grand_total_fails_alone(form):
    broken = shifted(CITY, "applications.granted[1]", "applications.granted[0]", 3)
    assert failed(through(form, broken)["checks"]) == {
        ("grand_total", "applications.total[0]"),
        ("grand_total", "applications.total[1]"),
    }


@pytest.mark.parametrize("form", FORMS)
def test_balance_fails_alone(form):
    broken = shifted(CITY, "applications.new[2]", "applications.new[3]")
    assert failed(through(form, broken)["checks"]) == {
        ("balance", "applications.new[2]"),
        ("balance", "applications.new[3]"),
    }


@pytest.mark.parametrize("form", FORMS)
def test_review_total_fails_alone(form):
    broken = bumped(CITY, "reviews_and_litigation.review.corrected", 1)
    assert failed(through(form, broken)["checks"]) == {
        ("review_total", "reviews_and_litigation.review.upheld")}


@pytest.mark.parametrize("form", FORMS)
def test_litigation_total_fails_alone(form):
    broken = bumped(CITY, "reviews_and_litigation.litigation_after_review.total", 3)
    assert failed(through(form, broken)["checks"]) == {
        ("litigation_total", "reviews_and_litigation.litigation_after_review.upheld")}


@pytest.mark.parametrize("form", FORMS)
def test_carry_over_fails_alone(form):
    last_year = city_report(seed=2022, year=2022)
    this_year = city_report(year=2023, carried_over=last_year["applications"]
                            ["carried_forward"][:6])
    previous = parse_report(render_text(last_year).encode())
    good = through(form, this_year, previous)
    assert [c["rule"] for c in good["checks"]].count("carry_over") == 7
    assert all(c["ok"] for c in good["checks"])
    wrong_previous = copy.deepcopy(previous)
    wrong_previous["applications"]["carried_forward"][5] += 1
    bad = through(form, this_year, wrong_previous)
    assert failed(bad["checks"]) == {("carry_over", "previous.applications.carried_forward[5]")}
    message = next(c["message"] for c in bad["checks"] if not c["ok"])
    assert "2022" in message and "「其他」列" in message


@pytest.mark.parametrize(("cell", "expected"), [
    ("applications.withheld.state_secret[2]", {
        ("row_total", "applications.withheld.state_secret[0]"),
        ("grand_total", "applications.total[2]")}),
    ("applications.other.other[6]", {
        ("row_total", "applications.other.other[0]"),
        ("grand_total", "applications.total[6]")}),
    ("applications.total[3]", {
        ("row_total", "applications.total[0]"),
        ("grand_total", "applications.total[3]"),
        ("balance", "applications.new[3]")}),
    ("applications.new[0]", {
        ("row_total", "applications.new[0]"), ("balance", "applications.new[0]")}),
    ("applications.carried_forward[6]", {
        ("row_total", "applications.carried_forward[0]"), ("balance", "applications.new[6]")}),
    ("applications.carried_over[5]", {
        ("row_total", "applications.carried_over[0]"), ("balance", "applications.new[5]"),
        ("carry_over", "previous.applications.carried_forward[5]")}),
    ("proactive.licensing", set()),
    ("proactive.fees_10k_yuan", set()),
])
def test_one_broken_cell_fails_the_documented_checks(cell, expected):
    previous = {"year": 2022, "applications": {
        "carried_forward": list(CITY["applications"]["carried_over"])}}
    broken = bumped(CITY, cell, 1)
    assert failed(check_report(broken, previous)) == expected
    assert failed(through("text", broken, previous)["checks"]) == expected


def test_messages_name_row_column_and_both_numbers():
    broken = bumped(CITY, "applications.withheld.third_party_rights[6]", 4)
    checks = check_report(broken)
    row = broken["applications"]["withheld"]["third_party_rights"]
    message = next(c["message"] for c in checks if c["rule"] == "row_total" and not c["ok"])
    assert "三、（三）不予公开 4.保护第三方合法权益" in message
    assert "「总计」列" in message
    assert str(row[6]) in message and str(sum(row[:6])) in message
    grand = next(c["message"] for c in checks if c["rule"] == "grand_total" and not c["ok"])
    total = broken["applications"]["total"][6]
    assert "（七）总计" in grand and "「总计」列" in grand and str(total) in grand
    assert str(total + 4) in grand
    assert "不一致" in message
    assert all(c["message"].endswith("，一致") for c in checks if c["ok"])


def test_check_report_ignores_an_existing_checks_key():
    report = dict(CITY, checks=[{"rule": "stale", "ok": False, "message": "", "cells": []}])
    assert all(c["ok"] for c in check_report(report))


@pytest.mark.parametrize(("change", "where"), [
    (lambda r: r["applications"]["withheld"].pop("query_matters"),
     "report.applications.withheld.query_matters"),
    (lambda r: r["applications"]["new"].append(0), "report.applications.new"),
    (lambda r: r["applications"]["total"].__setitem__(2, -1), "report.applications.total"),
    (lambda r: r["applications"]["total"].__setitem__(2, 1.5), "report.applications.total"),
    (lambda r: r["reviews_and_litigation"]["review"].pop("pending"),
     "report.reviews_and_litigation.review"),
])
def test_malformed_report_dicts_name_the_field(change, where):
    from kiosk.services.disclosure import DisclosureError

    report = copy.deepcopy(CITY)
    change(report)
    with pytest.raises(DisclosureError) as info:
        check_report(report)
    assert info.value.where == where


def test_malformed_previous_is_named():
    from kiosk.services.disclosure import DisclosureError

    with pytest.raises(DisclosureError) as info:
        check_report(CITY, {"applications": {}})
    assert info.value.where == "previous.applications.carried_forward"
