"""ZIP bombs (issue 10): a 1 MB .docx that inflates to 1 GB is refused from its central
directory, with a message about its size, before any member is inflated."""

from __future__ import annotations

import io
import zipfile

import pytest

from kiosk.services.disclosure import DisclosureError, parse_report
from kiosk.services.excel.errors import Limits
from kiosk.services.excel.reader import ExcelFileError, check_file

from ..admin.conftest import login, make_user

GB = 1024 ** 3


def bomb(member: str, size: int, extra: dict[str, bytes] | None = None) -> bytes:
    """A real deflated ZIP whose ``member`` unpacks to ``size`` zero bytes (~1 MB per GB)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        chunk = bytes(8 * 1024 * 1024)
        with z.open(member, "w", force_zip64=True) as f:
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return buf.getvalue()


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    return bomb("word/document.xml", GB)


def no_inflating(monkeypatch) -> None:
    """From now on, opening any member (inflating it) fails the test: refusals come before."""
    def refuse(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


@pytest.mark.reliability('.docx ZIP bomb', '1 MB .docx inflating to 1 GB', 'refused from the central directory, with its size, no member opened')
def test_a_docx_bomb_is_refused_by_its_size_without_inflating(docx_bomb, monkeypatch):
    assert len(docx_bomb) < 2 * 1024 * 1024  # ~1 MB on the wire
    no_inflating(monkeypatch)
    with pytest.raises(DisclosureError) as err:
        parse_report(docx_bomb, "report.docx")
    assert "解压后约 1,024 MB" in str(err.value) and "100 MB" in str(err.value)


@pytest.mark.reliability('.docx with 2,002 parts', 'parse_report', 'refused, naming the count')
def test_a_docx_with_too_many_parts_is_refused(monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(2001):
            z.writestr(f"word/media/{i}.bin", b"")
    no_inflating(monkeypatch)
    with pytest.raises(DisclosureError) as err:
        parse_report(buf.getvalue(), "report.docx")
    assert "2002 个文件" in str(err.value)


@pytest.mark.reliability('.docx bomb through the panel and the API', 'upload with store=1', '400 / message, nothing stored')
def test_the_panel_and_the_api_say_why_and_store_nothing(app, docx_bomb):
    from kiosk.extensions import db
    from kiosk.models import DisclosureReport
    from kiosk.services.users import create_token

    make_user(app, "ed", "editor")
    client = app.test_client()
    with app.app_context():
        _, plain = create_token(db.session, "ed", actor="test")
        db.session.commit()
    r = client.post("/api/v1/disclosure/parse", headers={"Authorization": f"Bearer {plain}"},
                    content_type="multipart/form-data",
                    data={"file": (io.BytesIO(docx_bomb), "report.docx"), "store": "1"})
    assert r.status_code == 400 and "解压后" in r.get_json()["error"]["message"]
    login(client, "ed")
    from ..admin.conftest import page_token

    r = client.post("/admin/disclosure/upload", content_type="multipart/form-data", follow_redirects=True,
                    data={"csrf_token": page_token(client, "/admin/disclosure"),
                          "file": (io.BytesIO(docx_bomb), "report.docx")})
    assert "解压后" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(DisclosureReport).count() == 0


@pytest.mark.reliability('.xlsx with 2,002 parts', 'Excel import check', 'refused before openpyxl')
def test_an_xlsx_with_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(2001):
            z.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(ExcelFileError) as err:
        check_file(path, Limits())
    assert "解压后过大" in err.value.message
