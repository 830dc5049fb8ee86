"""空表 / 样表 uploads of guide materials, through the real form (test client, CSRF tokens):
limits and type checks, files kept only when the whole write succeeds, staff-only while a
draft, public at a stable content-addressed URL once approved, linked from the phone page."""

from __future__ import annotations

import hashlib
import io
import re
import time
from pathlib import Path

import pytest

from kiosk.extensions import db
from kiosk.models import ContentVersion, Department, Material
from kiosk.services.review_attachments import UPLOAD_MAX, sweep

from .conftest import client_as, csrf_from, make_user, text_of

CODE = "ATTACH-0001"
PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" + b"%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0" + bytes(64)


@pytest.fixture
def panel(app):
    with app.app_context():
        db.session.add(Department(code="gongan", name="公安局"))
        db.session.commit()
    for name, role in (("ed", "editor"), ("rev", "reviewer"), ("viewer", "viewer")):
        make_user(app, name, role)
    return app


def form(client, path: str = "/admin/content/guides/new", **over):
    data = {
        "csrf_token": csrf_from(client.get(path).text), "code": CODE, "name": "居住证签注",
        "item_type": "行政确认", "department": "gongan", "case_type": "即办件", "fee": "不收费",
        "visits": "1", "m-count": "1", "m-0-name": "居住证申请表", "m-0-form": "原件",
        "m-0-copies": "1", "m-0-necessity": "必要", "action": "submit",
    }
    data.update(over)
    return data


def post(client, data, path: str = "/admin/content/guides/new"):
    return client.post(path, data=data, content_type="multipart/form-data")


def uploads(app) -> list[Path]:
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def stored(body: bytes, ext: str) -> str:
    return f"uploads/{hashlib.sha256(body).hexdigest()}.{ext}"


def latest(app) -> ContentVersion:
    with app.app_context():
        v = db.session.query(ContentVersion).order_by(ContentVersion.id.desc()).first()
        db.session.expunge(v)
        return v


def approve(app, version_id: int) -> None:
    rev = client_as(app, "rev")
    r = rev.post(f"/admin/review/{version_id}/approve",
                 data={"csrf_token": csrf_from(rev.get("/admin/review").text)})
    assert r.status_code == 302
    assert "已通过并发布" in text_of(rev.get("/admin/review"))


def test_blank_and_sample_form_are_both_uploaded_under_their_content_hash(panel):
    ed = client_as(panel, "ed")
    data = form(ed, action="save", **{"m-0-blank_file": (io.BytesIO(PDF), "空表.pdf"),
                                      "m-0-sample_file": (io.BytesIO(JPEG), "样表.png")})  # bytes decide
    assert post(ed, data).status_code == 302
    [m] = latest(panel).data["materials"]
    assert m["blank_form"] == stored(PDF, "pdf") and m["sample_form"] == stored(JPEG, "jpg")
    assert [p.name for p in uploads(panel)] == sorted([stored(PDF, "pdf")[8:], stored(JPEG, "jpg")[8:]])
    assert (Path(panel.config["DATA_DIR"]) / m["blank_form"]).read_bytes() == PDF
    page = ed.get(f"/admin/content/guides/{CODE}/edit").get_data(as_text=True)  # the draft
    assert "已上传空表（查看）" in page and "已上传样表（查看）" in page
    assert f'href="/admin/files/{m["blank_form"][8:]}"' in page


def test_five_megabytes_exactly_is_accepted_one_byte_more_is_refused(panel):
    ed = client_as(panel, "ed")
    limit = PDF + b"0" * (UPLOAD_MAX - len(PDF))
    assert len(limit) == 5 * 1024 * 1024
    r = post(ed, form(ed, **{"m-0-sample_file": (io.BytesIO(limit + b"0"), "大.pdf")}))
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "超过 5 MB" in html.split('id="materials-1-sample_form-error"')[1].split("</ul>")[0]
    assert uploads(panel) == [] and latest_or_none(panel) is None
    assert post(ed, form(ed, **{"m-0-sample_file": (io.BytesIO(limit), "正好.pdf")})).status_code == 302
    assert [p.stat().st_size for p in uploads(panel)] == [UPLOAD_MAX]


def latest_or_none(app):
    with app.app_context():
        return db.session.query(ContentVersion).first()


@pytest.mark.parametrize("body,name", [
    (b"<html><script>alert(1)</script></html>", "样表.pdf"),  # HTML dressed as a PDF
    (b"GIF89a" + bytes(20), "样表.png"),  # an image, but not one of the three types
    (b"PK\x03\x04" + bytes(20), "样表.docx"),
])
def test_a_file_of_another_type_is_refused_next_to_its_field(panel, body, name):
    ed = client_as(panel, "ed")
    r = post(ed, form(ed, **{"m-0-blank_file": (io.BytesIO(body), name)}))
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    error = html.split('id="materials-1-blank_form-error"')[1].split("</ul>")[0]
    assert "空表" in error and "不是 PDF、PNG 或 JPEG" in error
    assert uploads(panel) == []


def test_a_refused_form_keeps_no_file_and_asks_for_it_again(panel):
    ed = client_as(panel, "ed")
    data = form(ed, name="", **{"m-0-sample_file": (io.BytesIO(PNG), "样表.png")})
    r = post(ed, data)
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="name-error"' in html
    assert uploads(panel) == []  # neither the file nor a temporary copy stayed
    assert 'name="m-0-sample_form" value=""' in html  # the row does not point at a lost file
    assert "“样表.png”需要在改正后重新选择" in html
    assert 'value="居住证申请表"' in html  # everything typed is kept


def test_a_write_refused_by_the_workflow_keeps_no_file(panel):
    ed = client_as(panel, "ed")
    assert post(ed, form(ed)).status_code == 302
    other = client_as(panel, "rev")  # a second new guide with the same code: refused at save
    r = post(other, form(other, **{"m-0-sample_file": (io.BytesIO(PNG), "样表.png")}))
    assert r.status_code == 400 and "该编码已被另一份待审核的新建内容使用" in text_of(r)
    assert uploads(panel) == []


def test_adding_a_row_does_not_keep_the_chosen_file(panel):
    ed = client_as(panel, "ed")
    r = post(ed, form(ed, action="add_row", **{"m-0-sample_file": (io.BytesIO(PNG), "样表.png")}))
    assert r.status_code == 200 and 'name="m-1-name"' in r.text
    assert uploads(panel) == [] and "需要在改正后重新选择" in r.text


def test_a_draft_file_is_for_staff_only_and_public_once_approved(panel):
    ed = client_as(panel, "ed")
    post(ed, form(ed, **{"m-0-blank_file": (io.BytesIO(PDF), "空表.pdf"),
                         "m-0-sample_file": (io.BytesIO(PNG), "样表.png")}))
    blank, sample = stored(PDF, "pdf")[8:], stored(PNG, "png")[8:]
    public = panel.test_client()
    assert public.get(f"/files/{blank}").status_code == 404  # waiting for review: not public
    assert public.get(f"/admin/files/{blank}").status_code == 302  # -> the login page
    assert client_as(panel, "viewer").get(f"/admin/files/{blank}").status_code == 403
    r = client_as(panel, "rev").get(f"/admin/files/{blank}")
    assert r.status_code == 200 and r.data == PDF and r.headers["Cache-Control"] == "private, no-store"

    approve(panel, latest(panel).id)
    r = public.get(f"/files/{blank}")
    assert r.status_code == 200 and r.data == PDF
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Content-Disposition"] == "inline"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert public.get(f"/files/{sample}").headers["Content-Type"] == "image/png"
    assert public.get("/files/../test.db").status_code == 404
    assert public.get(f"/files/{blank.upper()}").status_code == 404

    page = public.get(f"/g/{CODE}").get_data(as_text=True)
    links = dict(re.findall(r'<a class="file" href="([^"]+)"[^>]*>([^<]+)</a>', page))
    assert links == {f"/files/{blank}": "空表下载", f"/files/{sample}": "样表查看"}


def test_removing_a_file_in_a_new_version_takes_it_off_the_public_url(panel):
    ed = client_as(panel, "ed")
    post(ed, form(ed, **{"m-0-sample_file": (io.BytesIO(PNG), "样表.png")}))
    approve(panel, latest(panel).id)
    sample = stored(PNG, "png")[8:]
    assert panel.test_client().get(f"/files/{sample}").status_code == 200
    path = f"/admin/content/guides/{CODE}/edit"
    edit = ed.get(path).get_data(as_text=True)
    assert f'name="m-0-sample_form" value="{stored(PNG, "png")}"' in edit  # carried over
    r = post(ed, form(ed, path, **{"m-0-sample_form": stored(PNG, "png"), "m-0-sample_form_clear": "1"}), path)
    assert r.status_code == 302
    approve(panel, latest(panel).id)
    with panel.app_context():
        assert db.session.query(Material).one().sample_form is None
    assert panel.test_client().get(f"/files/{sample}").status_code == 404
    assert "样表查看" not in panel.test_client().get(f"/g/{CODE}").get_data(as_text=True)


def test_a_made_up_path_in_the_hidden_field_is_dropped(panel):
    ed = client_as(panel, "ed")
    fake = "uploads/" + "0" * 64 + ".pdf"  # looks like ours, but no such file
    assert post(ed, form(ed, **{"m-0-blank_form": fake, "m-0-sample_form": "../../etc/passwd"})).status_code == 302
    [m] = latest(panel).data["materials"]
    assert m["blank_form"] is None and m["sample_form"] is None


def test_temporary_files_left_by_a_crash_are_swept(tmp_path):
    old, new = tmp_path / ".tmp-old.pdf", tmp_path / ".tmp-new.pdf"
    kept = tmp_path / ("a" * 64 + ".pdf")
    for p in (old, new, kept):
        p.write_bytes(PDF)
    now = time.time()
    import os
    os.utime(old, (now - 7200, now - 7200))
    assert sweep(tmp_path, now) == 1
    assert not old.exists() and new.exists() and kept.exists()
