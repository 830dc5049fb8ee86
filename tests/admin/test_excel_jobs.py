"""Excel uploads as files and jobs: refused files and limits, the script's JSON answers,
ownership of an upload, background checking with real progress, clean-up of old uploads."""

from __future__ import annotations

import os
import time
import zipfile
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from kiosk.extensions import db
from kiosk.models import ContentVersion
from kiosk.services.excel import Limits
from kiosk.services.excel.columns import GUIDES, MATERIALS
from kiosk.services.excel.jobs import KEEP_SECONDS, Jobs

from .conftest import page_token, text_of
from .excel_util import count, counted, download, job_page, new_guide, signed_in, to_bytes, upload


# -- refused files -----------------------------------------------------------------------------
def _zip(parts: dict[str, str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def _entity_bomb(template: bytes) -> bytes:
    src = zipfile.ZipFile(BytesIO(template))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + data
                assert data.count(b"<!DOCTYPE") == 1
            z.writestr(info, data)
    return out.getvalue()


def _headers_only_wb(headers: list[str]) -> bytes:
    wb = Workbook()
    wb.active.title = GUIDES.name
    wb.active.append(headers)
    wb.create_sheet(MATERIALS.name).append(MATERIALS.headers)
    return to_bytes(wb)


def test_bad_files_are_refused_clearly(demo_app, demo_staff):
    client = signed_in(demo_app, "editor")
    template = client.get("/admin/import/guides/template.xlsx").data
    wrong = GUIDES.headers[:3] + ["别的列"]
    cases = {
        "text.xlsx": (b"name,code\n1,2\n", "不是 Excel 文件"),
        "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel"),
        "word.xlsx": (_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "不是 Excel 工作簿"),
        "empty.xlsx": (template, "没有数据"),
        "wrong.xlsx": (_headers_only_wb(wrong), "缺少这些列"),
        "entities.xlsx": (_entity_bomb(template), "不允许的内容"),
        "stats.xlsx": (client.get("/admin/import/evaluations/template.xlsx").data, "好差评统计”的文件"),
        "zero.xlsx": (b"", "文件是空的"),
    }
    for name, (data, expected) in cases.items():
        r = upload(client, "guides", data, name)
        assert r.status_code == 302, name
        shown = text_of(client.get(r.location))
        assert expected in shown, (name, shown[:600])
        assert "没有导入任何内容" in shown, name
    assert count(demo_app, ContentVersion) == 0
    token = page_token(client, "/admin/import")
    r = client.post("/admin/import/guides", data={"csrf_token": token}, content_type="multipart/form-data")
    assert r.status_code == 302 and "请选择要上传的" in text_of(client.get(r.location))


def test_size_and_row_limits(demo_app, demo_staff):
    demo_app.config.update(EXCEL_MAX_ROWS=3)
    client = signed_in(demo_app, "editor")
    wb = download(client, "/admin/import/guides/template.xlsx")
    for row in range(2, 6):
        new_guide(wb, row, f"XL-{row}")
    r = upload(client, "guides", to_bytes(wb))
    assert "超过 3 行数据" in text_of(client.get(r.location))
    demo_app.config.update(EXCEL_MAX_BYTES=1024 * 1024, EXCEL_MAX_ROWS=5000)
    r = upload(client, "guides", to_bytes(wb) + b"\0" * (1024 * 1024))
    assert r.status_code == 302 and r.location.endswith("/admin/import")
    assert "文件超过 1 MB" in text_of(client.get(r.location))
    assert not any((Path(demo_app.config["DATA_DIR"]) / "excel-imports").glob("*.xlsx"))


def test_xhr_upload_gets_json_and_too_large_is_chinese(demo_app, demo_staff):
    client = signed_in(demo_app, "editor")
    data = client.get("/admin/import/guides/export.xlsx").data
    token = page_token(client, "/admin/import")
    r = client.post("/admin/import/guides", data={"csrf_token": token, "file": (BytesIO(data), "a.xlsx")},
                    content_type="multipart/form-data", headers={"X-Requested-With": "XMLHttpRequest"})
    assert r.status_code == 200 and r.json["location"].startswith("/admin/import/job/")
    demo_app.config["MAX_CONTENT_LENGTH"] = 16 * 1024
    assert len(data) > 16 * 1024
    r = client.post("/admin/import/guides", data={"csrf_token": token, "file": (BytesIO(data), "a.xlsx")},
                    content_type="multipart/form-data", headers={"X-Requested-With": "XMLHttpRequest"})
    assert r.status_code == 413 and "文件过大" in r.json["error"]


# -- jobs: ownership, progress, cleanup ---------------------------------------------------------
def test_an_upload_belongs_to_its_uploader(demo_app, demo_staff):
    editor = signed_in(demo_app, "editor")
    key, _ = job_page(editor, "guides", editor.get("/admin/import/guides/export.xlsx").data)
    admin = signed_in(demo_app, "admin")
    r = admin.get(f"/admin/import/job/{key}")
    assert r.status_code == 302 and "已过期或不存在" in text_of(admin.get(r.location))
    assert admin.get(f"/admin/import/job/{key}/status").json == {"state": "missing"}
    admin.post(f"/admin/import/job/{key}/cancel", data={"csrf_token": page_token(admin, "/admin/import")})
    assert editor.get(f"/admin/import/job/{key}").status_code == 200  # still there for its owner


def test_large_files_are_checked_in_the_background_with_real_progress(demo_app, demo_staff):
    demo_app.config["EXCEL_BACKGROUND_BYTES"] = 0
    client = signed_in(demo_app, "editor")
    wb = download(client, "/admin/import/guides/template.xlsx")
    for row in range(2, 252):
        new_guide(wb, row, f"XL-BG-{row}", f"后台检查事项{row}")
    key, _ = job_page(client, "guides", to_bytes(wb))
    deadline = time.monotonic() + 120  # a generous bound on a slow machine, not a speed test
    while True:
        status = client.get(f"/admin/import/job/{key}/status").json
        assert status["state"] in ("queued", "reading", "checking", "done"), status
        if status["state"] == "done" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert status["state"] == "done", status
    page = client.get(f"/admin/import/job/{key}")
    assert counted(page, "new") == 250


def test_progress_is_reported_while_reading_and_checking(demo_app, demo_staff):
    client = signed_in(demo_app, "editor")
    wb = download(client, "/admin/import/guides/template.xlsx")
    for row in range(2, 302):
        new_guide(wb, row, f"XL-P-{row}")
    store = Jobs(demo_app.config["DATA_DIR"])
    key = store.create(1, "editor", "guides", "p.xlsx", BytesIO(to_bytes(wb)), Limits())
    snapshots = []
    with demo_app.app_context():
        store.process(key, db.session, ZoneInfo("Asia/Shanghai"), Limits(),
                      pause=lambda: snapshots.append(store.status(key, 1)))
    reading = [(s["done"], s["total"]) for s in snapshots if s["state"] == "reading"]
    checking = [(s["done"], s["total"]) for s in snapshots if s["state"] == "checking"]
    assert reading[0] == (100, 300) and reading[-1] == (300, 300)
    assert checking[0] == (50, 300) and checking[-1] == (300, 300)
    assert [d for d, _ in checking] == sorted(d for d, _ in checking)
    assert store.status(key, 1)["state"] == "done" and store.status(key, 2) is None


def test_old_uploads_are_cleaned_up(app, tmp_path):
    store = Jobs(tmp_path)
    old = store.create(1, "a", "guides", "old.xlsx", BytesIO(b"x"), Limits())
    for path in store.folder.glob(f"{old}*"):
        os.utime(path, (time.time() - KEEP_SECONDS - 10,) * 2)
    new = store.create(2, "b", "guides", "new.xlsx", BytesIO(b"y"), Limits())
    assert store.status(old, 1) is None and store.status(new, 2) is not None
    again = store.create(2, "b", "guides", "newer.xlsx", BytesIO(b"z"), Limits())
    assert store.status(new, 2) is None and store.mine(2) == [again]  # one pending upload per kind
    assert store.status("../../etc/passwd", 1) is None
    with pytest.raises(KeyError):
        store.discard("../x")
