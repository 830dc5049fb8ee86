"""Files the parser did not foresee: a clear message naming the file, exit status 2 (CLI) or
a Chinese message (panel), nothing stored — and the traceback in the log for a developer.

The trigger used to be a real malformed .docx (``malformed_docx``: ``gridSpan w:val="x"``, on
which python-docx raises a bare ``ValueError``); the reader now refuses that file with its own
error (the last test), and the hypothesis run over spoilt files
(test_disclosure_garbled.py) found no other, so the fallback is driven by a reader that fails
in a way nobody foresaw."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest
from disclosure_factory import build_docx, city_report, malformed_docx, without_checks
from sqlalchemy import func, select
from test_store import run, stored

from kiosk.cli.disclosure import disclosure_group
from kiosk.extensions import db
from kiosk.models import DisclosureReport
from kiosk.services.disclosure import DisclosureError, parse_report, readers
from tests.admin.conftest import csrf_from, login, make_user, text_of


@pytest.fixture
def bad_docx(monkeypatch) -> bytes:
    def unforeseen(*args, **kwargs):
        raise RuntimeError("a parser bug nobody foresaw")

    monkeypatch.setattr(readers, "_docx_rows", unforeseen)
    data = build_docx(city_report())
    with pytest.raises(Exception) as info:  # the premise: not one of the parser's own errors
        parse_report(data, "report.docx")
    assert not isinstance(info.value, DisclosureError)
    return data


def _logged_traceback(caplog, name: str) -> bool:
    return any(r.exc_info and name in r.getMessage() for r in caplog.records
               if r.levelno >= logging.ERROR)


def test_cli_parse_exits_2_naming_the_file(cli, tmp_path, bad_docx, caplog):
    path = tmp_path / "2023年报.docx"
    path.write_bytes(bad_docx)
    with caplog.at_level(logging.ERROR, logger="kiosk.cli.disclosure"):
        result = cli.invoke(disclosure_group, ["parse", str(path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr and "无法读取" in result.stderr
    assert "Traceback" not in result.output
    assert _logged_traceback(caplog, str(path))


def test_cli_parse_previous_year_file_that_breaks_the_parser(cli, tmp_path, bad_docx, caplog,
                                                             seed_bytes):
    this = tmp_path / "2023.txt"
    this.write_bytes(seed_bytes)
    last = tmp_path / "2022.docx"
    last.write_bytes(bad_docx)
    with caplog.at_level(logging.ERROR, logger="kiosk.cli.disclosure"):
        result = cli.invoke(disclosure_group, ["parse", "--previous", str(last), str(this)])
    assert result.exit_code == 2 and str(last) in result.stderr
    assert _logged_traceback(caplog, str(last))


def test_cli_import_exits_2_and_stores_nothing(data_dir, tmp_path, bad_docx, caplog):
    path = tmp_path / "city-2023.docx"
    path.write_bytes(bad_docx)
    with caplog.at_level(logging.ERROR, logger="kiosk.cli.disclosure"):
        result = run(data_dir, str(path))
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "nothing stored" in result.output
    assert stored(data_dir) == []
    assert _logged_traceback(caplog, str(path))


def test_panel_upload_says_so_in_chinese_and_stores_nothing(app, bad_docx, caplog):
    make_user(app, "ed", "editor")
    client = app.test_client()
    login(client, "ed")
    token = csrf_from(client.get("/admin/disclosure").text)
    with caplog.at_level(logging.ERROR, logger="kiosk.admin.disclosure"):
        r = client.post("/admin/disclosure/upload", data={
            "csrf_token": token, "file": (io.BytesIO(bad_docx), "年报.docx")},
            content_type="multipart/form-data")
    assert r.status_code == 302
    page = text_of(client.get("/admin/disclosure"))
    assert "无法读取“年报.docx”" in page and "未保存任何内容" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DisclosureReport)) == 0
    pending = Path(app.config["DATA_DIR"]) / "pending"
    assert not list(pending.glob("disclosure-*.json"))
    assert _logged_traceback(caplog, "年报.docx")


def test_api_parse_is_a_400_naming_the_file(app, client, bad_docx, caplog):
    from test_api_disclosure import token_for

    headers = token_for(app, "ed", "editor")
    with caplog.at_level(logging.ERROR, logger="kiosk.api.disclosure"):
        r = client.post("/api/v1/disclosure/parse", headers=headers, data={
            "file": (io.BytesIO(bad_docx), "年报.docx"), "store": "1"},
            content_type="multipart/form-data")
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "invalid_report" and "年报.docx" in error["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DisclosureReport)) == 0
    assert _logged_traceback(caplog, "年报.docx")


def test_an_absurd_docx_span_is_bounded_like_html(tmp_path):
    """gridSpan="3000000" used to lay out millions of grid cells for one row; spans are
    bounded to 60 columns as in HTML, so the file is read (or refused) like any other."""
    report = city_report()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(build_docx(report))) as source, \
            zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                # the 4-column heading 第二十条第（一）项 claims three million columns
                data = data.replace(b'<w:gridSpan w:val="4"/>', b'<w:gridSpan w:val="3000000"/>', 1)
                assert b'w:val="3000000"' in data
            target.writestr(item, data)
    assert without_checks(parse_report(out.getvalue(), "report.docx")) == report


@pytest.mark.reliability(".docx with an invalid span", 'gridSpan w:val="x" (python-docx raises ValueError)',
                         "DisclosureError naming the table and row")
def test_an_invalid_docx_span_is_the_readers_own_error():
    with pytest.raises(DisclosureError) as info:
        parse_report(malformed_docx(city_report()), "report.docx")
    assert info.value.where and info.value.where.startswith("table ")
    assert "合并标记无效" in info.value.message
