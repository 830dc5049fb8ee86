"""空表 / 样表 files brought by ``kiosk import``: stored in the panel's upload store by content hash,
served on the phone page once the guide is published, refused by the panel's own rules with an
error naming the file, entry and field, never left behind by a failed import, unchanged by a
re-import, and kept when the guide is later edited in the panel."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from kiosk import models as m
from kiosk.extensions import db
from kiosk.services.importer import ImportFailure, import_path
from kiosk.services.review_attachments import UPLOAD_MAX

from .admin.conftest import client_as, csrf_from, make_user, text_of
from .import_fixtures import CONTENT, SFZ_PDF, SFZ_SAMPLE, edit, table_counts

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
# material 1 of G-SFZ-HL gets a 空表 and a 样表; material 2 already has forms/sfz-sample.pdf
WITH_FILES = ("      necessity: 必要\n    - name: 原居民身份证",
              "      necessity: 必要\n      blank_form: forms/hukou-blank.pdf\n"
              "      sample_form: forms/hukou-sample.jpg\n    - name: 原居民身份证")
TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def stored(body: bytes, ext: str) -> str:
    return f"uploads/{hashlib.sha256(body).hexdigest()}.{ext}"


def upload_files(app) -> list[str]:
    """Every file in the upload folder, temporary ones (``.tmp-…``) included."""
    folder = Path(app.config["DATA_DIR"]) / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def attached(mini):
    """The mini folder with a PDF 空表 and a JPEG 样表 on material 1 of G-SFZ-HL."""
    (mini / "forms" / "hukou-blank.pdf").write_bytes(PDF)
    (mini / "forms" / "hukou-sample.jpg").write_bytes(JPEG)
    edit(mini, "guides/gongan.yaml", *WITH_FILES)
    return mini


def materials(code: str) -> list[m.Material]:
    return db.session.scalars(select(m.Guide).where(m.Guide.code == code)).one().materials


def phone_links(client, code: str) -> dict[str, str]:
    page = client.get(f"/g/{code}").get_data(as_text=True)
    return dict(re.findall(r'<a class="file" href="([^"]+)"[^>]*>([^<]+)</a>', page))


# -- a good import ----------------------------------------------------------------------------

def test_attachments_are_stored_by_hash_linked_from_the_phone_page_and_served(app, attached):
    with app.app_context():
        import_path(attached)
        first, second = materials("G-SFZ-HL")
        assert (first.blank_form, first.sample_form) == (stored(PDF, "pdf"), stored(JPEG, "jpg"))
        assert second.sample_form == SFZ_SAMPLE
    expected = sorted(p[len("uploads/"):] for p in (stored(PDF, "pdf"), stored(JPEG, "jpg"), SFZ_SAMPLE))
    assert upload_files(app) == expected  # nothing else, no temporary file
    data = Path(app.config["DATA_DIR"])
    assert (data / stored(PDF, "pdf")).read_bytes() == PDF

    public = app.test_client()
    links = phone_links(public, "G-SFZ-HL")
    blank, sample, sfz = (f"/files/{p[len('uploads/'):]}" for p in
                          (stored(PDF, "pdf"), stored(JPEG, "jpg"), SFZ_SAMPLE))
    assert links == {blank: "空表下载", sample: "样表查看", sfz: "样表查看"}
    for url, body in ((blank, PDF), (sample, JPEG), (sfz, SFZ_PDF)):
        r = public.get(url)
        assert r.status_code == 200 and r.data == body
        assert r.headers["Content-Type"] == TYPES[url.rsplit(".", 1)[1]]
        assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_one_file_named_by_two_guides_is_stored_once(app, attached):
    edit(attached, "guides/minzheng.yaml", "{name: 居民户口簿, form: 原件, necessity: 必要}",
         "{name: 居民户口簿, form: 原件, necessity: 必要, blank_form: forms/sfz-sample.pdf}")
    with app.app_context():
        import_path(attached)
        assert materials("M-JH")[0].blank_form == materials("G-SFZ-HL")[1].sample_form == SFZ_SAMPLE
    assert len(upload_files(app)) == 3


def test_exactly_five_megabytes_is_accepted(app, attached):
    limit = PDF + b"0" * (UPLOAD_MAX - len(PDF))
    (attached / "forms" / "sfz-sample.pdf").write_bytes(limit)
    with app.app_context():
        import_path(attached)
        assert materials("G-SFZ-HL")[1].sample_form == stored(limit, "pdf")
    assert (Path(app.config["DATA_DIR"]) / stored(limit, "pdf")).stat().st_size == UPLOAD_MAX


# -- re-imports -------------------------------------------------------------------------------

def test_reimport_is_unchanged_and_a_changed_file_is_a_changed_guide(app, attached):
    with app.app_context():
        import_path(attached)
        files = upload_files(app)
        db.session.expire_all()
        again = import_path(attached)
        assert (again.created, again.updated) == (0, 0)
        assert again.as_dict()["guides"] == {"created": 0, "updated": 0, "unchanged": 3}
        assert upload_files(app) == files
        assert materials("G-SFZ-HL")[0].sample_form == stored(JPEG, "jpg")

        other = JPEG + b"second edition"
        (attached / "forms" / "hukou-sample.jpg").write_bytes(other)
        db.session.expire_all()
        changed = import_path(attached)
        assert changed.as_dict()["guides"] == {"created": 0, "updated": 1, "unchanged": 2}
        assert materials("G-SFZ-HL")[0].sample_form == stored(other, "jpg")
    # the old file stays: a saved version in the history may still name it
    assert set(files) < set(upload_files(app))


def test_reimport_restores_a_stored_file_that_went_missing(app, attached):
    with app.app_context():
        import_path(attached)
        lost = Path(app.config["DATA_DIR"]) / stored(JPEG, "jpg")
        lost.unlink()
        db.session.expire_all()
        assert import_path(attached).updated == 0
    assert lost.read_bytes() == JPEG


# -- bad attachments store nothing ------------------------------------------------------------

def _replace(body: bytes):
    def apply(root: Path, outside: Path) -> None:
        (root / "forms" / "sfz-sample.pdf").write_bytes(body)
    return apply


def _path(value: str):
    def apply(root: Path, outside: Path) -> None:
        edit(root, "guides/gongan.yaml", "sample_form: forms/sfz-sample.pdf",
             f"sample_form: {value.format(outside=outside)}")
    return apply


def _symlink(root: Path, outside: Path) -> None:
    target = root / "forms" / "sfz-sample.pdf"
    target.unlink()
    target.symlink_to(outside)


BAD = [
    pytest.param(_replace(b"<html><script>alert(1)</script></html>"),
                 "文件“forms/sfz-sample.pdf”不是 PDF、PNG 或 JPEG", id="html-named-pdf"),
    pytest.param(_replace(b"GIF89a" + bytes(32)), "不是 PDF、PNG 或 JPEG", id="gif"),
    pytest.param(_replace(PDF + b"0" * (UPLOAD_MAX + 1 - len(PDF))),
                 "文件“forms/sfz-sample.pdf”超过 5 MB", id="over-5-mb"),
    pytest.param(_replace(b""), "文件“forms/sfz-sample.pdf”是空文件", id="empty"),
    pytest.param(_path("forms/gone.pdf"), "文件不存在: forms/gone.pdf", id="missing"),
    pytest.param(_path("../outside.pdf"), '应为内容文件夹内的相对路径，实际为 "../outside.pdf"', id="dot-dot"),
    pytest.param(_path("{outside}"), "应为内容文件夹内的相对路径", id="absolute"),
    pytest.param(_symlink, "文件不在内容文件夹内（符号链接指向文件夹之外）: forms/sfz-sample.pdf",
                 id="symlink-out"),
]


@pytest.mark.parametrize(("spoil", "message"), BAD)
def test_a_bad_attachment_stores_nothing_and_names_file_entry_and_field(app, attached, spoil, message):
    outside = attached.parent / "outside.pdf"  # a valid PDF next to the content folder
    outside.write_bytes(PDF)
    spoil(attached, outside)
    with app.app_context():
        with pytest.raises(ImportFailure) as info:
            import_path(attached)
        failure = info.value
        assert (failure.file, failure.row, failure.field) == (
            "guides/gongan.yaml", 1, "materials[2].sample_form"), str(failure)
        assert message in failure.message, str(failure)
        lines = (attached / "guides/gongan.yaml").read_text(encoding="utf-8").splitlines()
        line = next(n for n, text in enumerate(lines, 1) if text.strip().startswith("sample_form: ")
                    and "hukou" not in text)
        assert str(failure).startswith(f"guides/gongan.yaml 第1条 (line {line}) 字段 materials[2].sample_form: ")
        assert all(n == 0 for n in table_counts().values())
        assert db.session.scalar(select(func.count()).select_from(m.AuditLog)) == 0
    # material 1's two good files were staged before material 2 failed: neither is left
    assert upload_files(app) == []


def test_a_failure_in_a_later_file_leaves_no_attachment_behind(app, attached):
    edit(attached, "evaluations.csv", "2024-06,A区1号窗口,gongan,130", "2024-06,A区1号窗口,nobody,130")
    with app.app_context():
        with pytest.raises(ImportFailure) as info:
            import_path(attached)
        assert info.value.file == "evaluations.csv"
        assert all(n == 0 for n in table_counts().values())
    assert upload_files(app) == []


def test_a_failed_reimport_keeps_the_stored_files_and_adds_none(app, attached):
    with app.app_context():
        import_path(attached)
        files = upload_files(app)
        (attached / "forms" / "hukou-blank.pdf").write_bytes(PDF + b"new")  # would be a new file
        (attached / "forms" / "sfz-sample.pdf").write_bytes(b"not a pdf")
        with pytest.raises(ImportFailure):
            import_path(attached)
        assert materials("G-SFZ-HL")[0].blank_form == stored(PDF, "pdf")
    assert upload_files(app) == files


# -- the panel after an import ----------------------------------------------------------------

class _FormFields(HTMLParser):
    """What a browser would post for the page's form, without touching anything."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._picked = False
        self._textarea: str | None = None
        self._text = ""
        self._option: str | None = None
        self._option_selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("file", "submit") or (kind == "checkbox" and "checked" not in a):
                return
            self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select, self._first_option, self._picked = a.get("name"), None, False
        elif tag == "option" and self._select:
            self._option = a.get("value")
            self._text = ""
            self._option_selected = "selected" in a
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea is not None or self._option is not None or self._select:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._select:
            value = self._option if self._option is not None else self._text.strip()
            if self._first_option is None:
                self._first_option = value
            if self._option_selected and not self._picked:
                self.fields.append((self._select, value))
                self._picked = True
            self._option = None
        elif tag == "select" and self._select:
            if not self._picked and self._first_option is not None:
                self.fields.append((self._select, self._first_option))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def test_an_imported_guide_edited_in_the_panel_keeps_its_files(app, attached):
    # the approval republishes every screen: leave out the mini folder's made-up layout
    edit(attached, "screens.yaml", "  - {name: 大厅副屏, group: lobby, kind: led_wall, layout: custom_wall}\n", "")
    with app.app_context():
        import_path(attached)
    make_user(app, "ed", "editor")
    make_user(app, "rev", "reviewer")
    ed = client_as(app, "ed")
    path = "/admin/content/guides/G-SFZ-HL/edit"
    page = ed.get(path).get_data(as_text=True)
    assert "已上传空表（查看）" in page and "已上传样表（查看）" in page  # not "not on the server"
    parser = _FormFields()
    parser.feed(page)
    data = dict(parser.fields)
    assert data["m-0-blank_form"] == stored(PDF, "pdf") and data["m-1-sample_form"] == SFZ_SAMPLE
    data.update({"name": "居民身份证换领（到期换证）", "action": "submit"})
    r = ed.post(path, data=data, content_type="multipart/form-data")
    assert r.status_code == 302, text_of(r)

    rev = client_as(app, "rev")
    with app.app_context():
        version = db.session.scalars(select(m.ContentVersion).order_by(m.ContentVersion.id.desc())).first()
        assert version.data["materials"][0]["sample_form"] == stored(JPEG, "jpg")
        version_id = version.id
    r = rev.post(f"/admin/review/{version_id}/approve",
                 data={"csrf_token": csrf_from(rev.get("/admin/review").text)})
    assert r.status_code == 302
    with app.app_context():
        guide = db.session.scalars(select(m.Guide).where(m.Guide.code == "G-SFZ-HL")).one()
        assert guide.name == "居民身份证换领（到期换证）"
        assert [(x.blank_form, x.sample_form) for x in guide.materials] == [
            (stored(PDF, "pdf"), stored(JPEG, "jpg")), (None, SFZ_SAMPLE)]
    public = app.test_client()
    links = phone_links(public, "G-SFZ-HL")
    assert list(links.values()).count("样表查看") == 2 and "空表下载" in links.values()
    assert all(public.get(url).status_code == 200 for url in links)


# -- the demo content -------------------------------------------------------------------------

def _demo_attachments() -> list[tuple[str, str, str, str]]:
    """(guide code, department, field, path under content/) of every attachment in the demo."""
    found = []
    for file in sorted((CONTENT / "guides").glob("*.yaml")):
        for guide in yaml.safe_load(file.read_text(encoding="utf-8")):
            for material in guide.get("materials", []):
                for key in ("blank_form", "sample_form"):
                    if material.get(key):
                        found.append((guide["code"], guide["department"], key, material[key]))
    return found


def test_the_demo_brings_its_forms_to_the_phone_pages(demo_app):
    found = _demo_attachments()
    assert len({dept for _, dept, _, _ in found}) >= 4
    assert {key for _, _, key, _ in found} == {"blank_form", "sample_form"}
    referenced = {rel for _, _, _, rel in found}
    assert referenced == {p.relative_to(CONTENT).as_posix() for p in (CONTENT / "forms").iterdir()}

    public = demo_app.test_client()
    with demo_app.app_context():
        stored_paths = {path for mat in db.session.scalars(select(m.Material))
                        for path in (mat.blank_form, mat.sample_form) if path}
    for code, _, key, rel in found:
        body = (CONTENT / rel).read_bytes()
        assert len(body) < 1024 * 1024, rel  # well under the 5 MB limit, quick on a phone
        path = stored(body, rel.rsplit(".", 1)[1])
        assert path in stored_paths, rel
        url = f"/files/{path[len('uploads/'):]}"
        assert phone_links(public, code).get(url) == ("空表下载" if key == "blank_form" else "样表查看")
        r = public.get(url)
        assert r.status_code == 200 and r.data == body
        assert r.headers["Content-Type"] == TYPES[rel.rsplit(".", 1)[1]]
    assert all(p.startswith("uploads/") for p in stored_paths)  # no dead content-folder paths
