"""The real Laocheng 2023 report (text copied from its web page, all zeros)."""

from __future__ import annotations

from disclosure_factory import zero_report

from kiosk.services.disclosure import check_report, parse_report, render_text
from kiosk.services.disclosure import template as t


def test_seed_parses_to_all_zero_tables(seed_bytes):
    report = parse_report(seed_bytes, "laocheng-2023-annual-report.txt")
    assert report["agency"] == "老城区政务服务和大数据管理局"
    assert report["year"] == 2023
    assert report["template"] == "2021"
    expected = zero_report(agency="老城区政务服务和大数据管理局", year=2023)
    assert {k: v for k, v in report.items() if k != "checks"} == expected


def test_seed_output_has_exact_keys(seed_bytes):
    report = parse_report(seed_bytes)
    assert list(report) == ["agency", "year", "template", "proactive", "applications",
                            "reviews_and_litigation", "checks"]
    assert set(report["proactive"]) == {"regulations", "normative_documents", "licensing",
                                        "penalty", "enforcement", "fees_10k_yuan"}
    apps = report["applications"]
    assert list(apps) == ["new", "carried_over", "granted", "partially_granted", "withheld",
                          "unable", "not_processed", "other", "total", "carried_forward"]
    assert list(apps["withheld"]) == [
        "state_secret", "prohibited_by_law", "three_securities_one_stability",
        "third_party_rights", "internal_affairs", "process_information", "enforcement_files",
        "query_matters"]
    assert list(apps["unable"]) == ["not_held", "needs_creation", "still_unclear"]
    assert list(apps["not_processed"]) == ["petition_complaint", "repeated", "publications",
                                           "massive_repeated", "confirm_reissue"]
    assert list(apps["other"]) == ["overdue_correction", "overdue_fee", "other"]
    for group in report["reviews_and_litigation"].values():
        assert list(group) == ["upheld", "corrected", "other", "pending", "total"]
    assert all(type(v) is int for v in apps["new"])


def test_seed_every_check_passes(seed_bytes):
    checks = parse_report(seed_bytes)["checks"]
    # 25 row totals, 7 grand totals, 7 balances, 1 review, 2 litigation
    assert len(checks) == 42
    assert all(c["ok"] for c in checks)
    assert {c["rule"] for c in checks} == {"row_total", "grand_total", "balance",
                                           "review_total", "litigation_total"}
    assert all(set(c) == {"rule", "ok", "message", "cells"} for c in checks)


def test_render_text_reproduces_the_seed_tables(seed_bytes, seed_text):
    report = parse_report(seed_bytes)
    seed_rows = [ln for ln in seed_text.splitlines() if "\t" in ln]
    rendered = [ln for ln in render_text(report).splitlines() if "\t" in ln]
    assert rendered == seed_rows


def test_seed_quirky_rows_are_read_by_label(seed_text):
    """Put a distinct number in the two misaligned rows and find them where they belong."""
    lines = seed_text.splitlines()
    other = next(i for i, ln in enumerate(lines) if ln.startswith("3.其他"))
    total = next(i for i, ln in enumerate(lines) if ln.startswith("(七) 总计"))
    lines[other] = "3.其他\t\t1\t0\t0\t0\t0\t0\t1\t"
    lines[total] = "(七) 总计\t1\t0\t0\t0\t0\t0\t1\t\t"
    new = next(i for i, ln in enumerate(lines) if ln.startswith("一、本年新收"))
    lines[new] = "一、本年新收政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1\t"
    report = parse_report("\n".join(lines).encode())
    assert report["applications"]["other"]["other"] == [1, 0, 0, 0, 0, 0, 1]
    assert report["applications"]["total"] == [1, 0, 0, 0, 0, 0, 1]
    assert all(c["ok"] for c in report["checks"])


def test_seed_with_windows_line_endings_and_gb18030(seed_text):
    data = seed_text.replace("\n", "\r\n").encode("gb18030")
    report = parse_report(data)
    assert report["agency"] == "老城区政务服务和大数据管理局"
    assert all(c["ok"] for c in report["checks"])


def test_row_labels_match_the_template():
    assert len(t.APPLICATION_PATHS) == 25
    assert t.row_label(("withheld", "state_secret")) == "三、（三）不予公开 1.属于国家秘密"
    assert check_report(zero_report())[0]["cells"][0] == "applications.new[0]"
