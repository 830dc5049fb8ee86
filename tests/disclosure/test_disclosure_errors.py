"""Files that cannot be read safely raise DisclosureError (and the CLI exits 2)."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from disclosure_factory import build_docx, city_report, zero_report

from kiosk.cli.disclosure import disclosure_group
from kiosk.services.disclosure import DisclosureError, parse_report, render_html, render_text

TEMPLATE_2019 = """某某县人民政府办公室 2019 年政府信息公开工作年度报告

二、主动公开政府信息情况

第二十条第（一）项\t\t\t
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t3\t3\t41
第二十条第（五）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t12\t0\t530
其他对外管理服务事项\t4\t0\t17
第二十条第（六）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t8\t1\t96
行政强制\t2\t0\t5
第二十条第（八）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t
行政事业性收费\t3\t0\t
第二十条第（九）项\t\t\t
信息内容\t采购项目数量\t采购总金额\t
政府集中采购\t6\t128.5\t
"""


def _error(data: bytes, filename: str = "") -> DisclosureError:
    with pytest.raises(DisclosureError) as info:
        parse_report(data, filename)
    err = info.value
    assert err.message and isinstance(err.message, str)
    return err


def _noise(seed: int, size: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _noise(1, 2000),
    b"\xff\xd8\xff\xe0" + _noise(3, 500),
    _noise(2, 4000),
    _noise(4, 300).replace(b"\x00", b"\x01"),
], ids=["all-bytes", "png", "jpeg", "random", "random-no-nul"])
def test_binary_files(data):
    err = _error(data, "report.txt")
    assert "binary" in err.message


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t  \n"])
def test_empty_files(data):
    assert "empty" in _error(data).message


@pytest.mark.parametrize(("data", "word"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".doc"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    (b"not really a word file", ".docx"),
])
def test_unsupported_office_files(data, word):
    assert word in _error(data, "report.docx").message


def test_zip_that_is_not_a_docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "ZIP" in _error(out.getvalue()).message


def test_truncated_docx():
    data = build_docx(zero_report())
    assert ".docx" in _error(data[: len(data) // 2]).message


def test_truncated_text_names_the_missing_rows(seed_text):
    lines = seed_text.splitlines()
    cut = next(i for i, ln in enumerate(lines) if ln.startswith("(七) 总计"))
    err = _error("\n".join(lines[: cut + 1]).encode())
    assert "四、结转下年度继续办理" in err.message
    assert "行政复议、行政诉讼" in err.message
    assert "applications.carried_forward" in err.message
    assert err.where == "applications.carried_forward"


def test_text_with_a_missing_middle_row(seed_text):
    text = "\n".join(ln for ln in seed_text.splitlines() if "2.重复申请" not in ln)
    err = _error(text.encode())
    assert "三、（五）不予处理 2.重复申请" in err.message
    assert err.where == "applications.not_processed.repeated"


def test_text_cut_inside_the_last_row(seed_text):
    lines = seed_text.splitlines()
    review = next(i for i, ln in enumerate(lines) if ln.startswith("0\t0\t0\t0\t0\t0"))
    err = _error(("\n".join(lines[:review]) + "\n0\t0\t0").encode())
    assert "stops inside this row" in err.message
    assert err.where and f"line {review + 1}" in err.where


def test_truncated_html():
    page = render_html(city_report())
    err = _error(page[: int(len(page) * 0.7)].encode())
    assert "truncated" in err.message


def test_html_cut_inside_the_review_row():
    page = render_html(city_report())
    last_row = page.rindex("<tr>")
    cut = page.index("</td>", page.index("</td>", last_row) + 1) + len("</td>")
    err = _error(page[:cut].encode())
    assert "stops inside this row" in err.message
    assert err.where and "table 3 row 4" in err.where


def test_2019_template_is_refused():
    err = _error(TEMPLATE_2019.encode())
    assert "2019" in err.message and "2021" in err.message
    assert "template" in err.message


def test_2019_template_as_html_is_refused():
    page = render_html(zero_report()).replace("本年制发件数", "本年新制作数量")
    assert "2019" in _error(page.encode()).message


def test_not_a_report_at_all():
    err = _error("会议通知\n\n请各单位于周五前报送材料。\n".encode())
    assert "unknown template" in err.message


def test_text_number_that_is_not_a_number():
    text = render_text(zero_report()).replace("\t2.重复申请\t0\t0", "\t2.重复申请\t5件\t0")
    err = _error(text.encode())
    assert "5件" in err.message and err.where and "line" in err.where


def test_decimal_count_is_refused():
    text = render_text(zero_report()).replace("行政许可\t0", "行政许可\t2.5")
    assert "whole number" in _error(text.encode()).message


def test_too_many_numbers_in_a_row():
    text = render_text(zero_report()).replace("\t2.重复申请\t0\t0\t0\t0\t0\t0\t0",
                                              "\t2.重复申请\t0\t0\t0\t0\t0\t0\t0\t0")
    assert "more than 7" in _error(text.encode()).message


def test_unrecognised_row_in_the_application_table():
    text = render_text(zero_report()).replace("\t\t2.重复申请\t", "\t\t2.某种新情形\t").replace(
        "\t\t3.要求提供公开出版物\t", "\t\t9.另一种情形\t")
    assert "unrecognised row" in _error(text.encode()).message


def test_duplicate_row():
    text = render_text(zero_report())
    row = next(ln for ln in text.splitlines() if "2.重复申请" in ln)
    assert "duplicate" in _error(text.replace(row, row + "\n" + row).encode()).message


def test_error_str_names_the_place():
    err = DisclosureError("坏 / bad", "line 3")
    assert err.where == "line 3" and "line 3" in str(err) and err.message == "坏 / bad"
    assert DisclosureError("x").where is None


@pytest.mark.parametrize("content", [
    b"",
    bytes(range(256)) * 4,
    TEMPLATE_2019.encode(),
    "会议通知".encode(),
])
def test_cli_exits_2_on_bad_files(cli, tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = cli.invoke(disclosure_group, ["parse", str(path)])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr
    assert result.stdout == ""


def test_cli_exits_2_on_truncated_seed(cli, tmp_path, seed_text):
    path = tmp_path / "cut.txt"
    path.write_text(seed_text[: len(seed_text) // 2], encoding="utf-8")
    result = cli.invoke(disclosure_group, ["parse", "--strict", str(path)])
    assert result.exit_code == 2
    assert "truncated" in result.stderr and "line" in result.stderr


def test_text_after_the_numbers_is_refused():
    text = render_text(zero_report()).replace("\t\t2.重复申请\t0\t0\t0\t0\t0\t0\t0",
                                              "\t\t2.重复申请\t1\t0\t0\t0\t0\t0\t1\t备注：含跨年件")
    err = _error(text.encode())
    assert "text after the number" in err.message and "line" in (err.where or "")


def test_2019_style_undivided_other_row_is_refused():
    """Only the application table, with the 2019 single （六）其他处理 row."""
    text = render_text(zero_report())
    lines = [ln for ln in text.splitlines()
             if not ln.startswith(("\t(六) 其他处理", "\t\t2.申请人逾期", "3.其他"))]
    i = next(i for i, ln in enumerate(lines) if ln.startswith("(七) 总计"))
    lines.insert(i, "\t(六) 其他处理\t0\t0\t0\t0\t0\t0\t0\t")
    err = _error("\n".join(lines).encode())
    assert "2019" in err.message and err.where and "line" in err.where


def test_numbers_on_a_group_row_are_refused():
    text = render_text(zero_report()).replace(
        "\t(三) 不予公开\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0",
        "\t(三) 不予公开\t\t1\t0\t0\t0\t0\t0\t1\n\t\t1.属于国家秘密\t0\t0\t0\t0\t0\t0\t0")
    assert "sub-rows" in _error(text.encode()).message
