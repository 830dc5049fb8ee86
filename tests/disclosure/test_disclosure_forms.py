"""Composed reports in every supported form: text, HTML (merged or flat) and .docx."""

from __future__ import annotations

import pytest
from disclosure_factory import (
    build_docx,
    city_report,
    mixed_format,
    thousands,
    without_checks,
    zero_report,
)

from kiosk.services.disclosure import parse_report, render_html, render_text

CITY = city_report()


def _form(report, form, fmt=None, blanks=False) -> tuple[bytes, str]:
    """``report`` written in one of the FORMS, with the file name an upload would have."""
    if form == "text":
        return render_text(report, blanks, fmt).encode(), "report.txt"
    if form.startswith("html"):
        return render_html(report, blanks, form == "html-merged", fmt).encode(), "report.html"
    return build_docx(report, merged=form == "docx-merged", blanks_for_zero=blanks,
                      fmt=fmt), "report.docx"


FORMS = ["text", "html-merged", "html-flat", "docx-merged", "docx-flat"]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("fmt", [None, thousands, mixed_format], ids=["plain", "1,234", "mixed"])
def test_city_scale_report_round_trips(form, fmt):
    data, name = _form(CITY, form, fmt)
    report = parse_report(data, name)
    assert without_checks(report) == CITY
    assert all(c["ok"] for c in report["checks"])


def test_city_report_is_city_scale():
    apps = CITY["applications"]
    assert apps["total"][6] > 10_000
    rows = [apps[k] for k in ("new", "carried_over", "granted", "partially_granted", "total",
                              "carried_forward")]
    rows += [r for k in ("withheld", "unable", "not_processed", "other")
             for r in apps[k].values()]
    assert all(all(v > 0 for v in row) for row in rows)
    assert "12,345.67" in render_text(CITY, fmt=thousands)
    assert "１" in render_text(CITY, fmt=mixed_format)


@pytest.mark.parametrize("form", FORMS)
def test_blank_cells_mean_zero(form):
    report = zero_report()
    report["applications"]["granted"] = [3, 0, 0, 0, 0, 2, 5]
    report["applications"]["total"] = [3, 0, 0, 0, 0, 2, 5]
    report["applications"]["new"] = [3, 0, 0, 0, 0, 2, 5]
    report["proactive"]["regulations"]["in_force"] = 7
    report["proactive"]["fees_10k_yuan"] = 0.5
    report["reviews_and_litigation"]["litigation_after_review"].update(pending=1, total=1)
    data, name = _form(report, form, blanks=True)
    parsed = parse_report(data, name)
    assert without_checks(parsed) == report
    assert all(c["ok"] for c in parsed["checks"])


@pytest.mark.parametrize("form", FORMS)
def test_all_blank_report_is_all_zero(form):
    data, name = _form(zero_report(), form, blanks=True)
    assert without_checks(parse_report(data, name)) == zero_report()


def test_agency_page_inside_a_layout_table_in_gbk():
    page = render_html(CITY, fmt=thousands)
    body = page.split('<div class="article">', 1)[1].split("</div>", 1)[0]
    body = body.replace("<span", '<span style="font-family:仿宋"')
    body = body.replace(">12,345.67<", ">&nbsp;12,345.67&nbsp;<")
    wrapped = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
        "<title>示范市人民政府办公厅 2023 年政府信息公开工作年度报告_政务公开_示范市人民政府"
        "</title><script>var x = '<table>';</script></head><body>"
        '<table width="100%"><tr><td class="nav">首页 &gt; 政务公开</td></tr><tr><td>'
        f"{body}"
        "</td></tr></table></body></html>"
    )
    report = parse_report(wrapped.encode("gbk"), "2023ndbg.htm")
    assert without_checks(report) == CITY


def test_html_with_thead_th_and_line_breaks_in_labels():
    page = render_html(CITY).replace("<tbody>", "<thead></thead><tbody>")
    page = page.replace("<td rowspan=\"2\" valign=\"middle\"><p style=\"text-align:left\">"
                        "<span style=\"font-size:14px\">结果维持</span>",
                        "<th rowspan=\"2\"><p><span>结果<br/>维持</span>")
    assert without_checks(parse_report(page.encode())) == CITY


@pytest.mark.parametrize("title", [
    "示范市人民政府办公厅2023年政府信息公开工作年度报告",
    "示范市人民政府办公厅 ２０２３ 年 政府信息公开工作年度报告",
    "示范市人民政府办公厅2023年度政府信息公开工作年度报告",
])
def test_title_spacing_and_digits_vary(title):
    text = render_text(CITY).replace("示范市人民政府办公厅 2023 年政府信息公开工作年度报告", title)
    report = parse_report(text.encode())
    assert (report["agency"], report["year"]) == ("示范市人民政府办公厅", 2023)


def test_title_wrapped_over_two_lines_and_docx_title():
    text = render_text(CITY).replace("示范市人民政府办公厅 2023 年",
                                     "示范市人民政府办公厅\n2023 年")
    assert parse_report(text.encode())["agency"] == "示范市人民政府办公厅"
    data = build_docx(CITY, title_text="示范市人民政府办公厅 2023 年政府信息公开工作年度报告")
    report = parse_report(data)
    assert (report["agency"], report["year"]) == ("示范市人民政府办公厅", 2023)


def test_without_title_year_comes_from_the_file_name():
    text = render_text(CITY).replace("示范市人民政府办公厅 2023 年政府信息公开工作年度报告", "年度报告")
    report = parse_report(text.encode(), "shifan-2022-report.txt")
    assert (report["agency"], report["year"]) == ("", 2022)


def test_fees_are_int_when_whole_and_float_otherwise():
    report = zero_report()
    report["proactive"]["fees_10k_yuan"] = 3
    parsed = parse_report(render_text(report, fmt=lambda v, w: "3.00" if "fees" in w else str(v))
                          .encode())
    assert parsed["proactive"]["fees_10k_yuan"] == 3
    assert type(parsed["proactive"]["fees_10k_yuan"]) is int
    report["proactive"]["fees_10k_yuan"] = 1234.5
    parsed = parse_report(render_html(report, fmt=thousands).encode())
    assert parsed["proactive"]["fees_10k_yuan"] == 1234.5


def test_utf8_bom_and_utf16_text():
    text = render_text(CITY)
    assert without_checks(parse_report(b"\xef\xbb\xbf" + text.encode())) == CITY
    assert without_checks(parse_report(text.encode("utf-16"))) == CITY


def test_dash_cells_mean_zero():
    text = render_text(zero_report(), fmt=lambda v, w: "—" if w.endswith("[3]") else str(v))
    assert without_checks(parse_report(text.encode())) == zero_report()


def test_breadcrumb_before_the_title():
    page = render_html(CITY).replace(
        "<h1>", "<div class=\"crumb\">首页 &gt; 政务公开 &gt; 年度报告 &gt; "
                "示范市人民政府办公厅2023年政府信息公开工作年度报告</div><h1>")
    page = page.replace("<title>示范市人民政府办公厅", "<title>")
    report = parse_report(page.encode())
    assert (report["agency"], report["year"]) == ("示范市人民政府办公厅", 2023)


def test_text_without_tabs_is_split_on_wide_spaces():
    """A copy from a PDF viewer: cells separated by runs of spaces, every cell written."""
    text = render_text(CITY, fmt=thousands)
    spaced = "\n".join("   ".join(c for c in ln.split("\t") if c) for ln in text.splitlines())
    assert "\t" not in spaced
    assert without_checks(parse_report(spaced.encode())) == CITY
