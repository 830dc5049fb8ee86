"""Disclosure reports in the panel: upload, check side by side, confirm, replace, override."""

from __future__ import annotations

import io
import re

from kiosk.extensions import db
from kiosk.models import AuditLog, DisclosureReport
from kiosk.services import layouts
from kiosk.services.disclosure import parse_report
from kiosk.services.disclosure.render import render_text
from kiosk.services.slides import SlideRenderer

from ..conftest import ROOT
from .conftest import csrf_from, login, make_user

SEED = ROOT / "tests" / "data" / "laocheng-2023-annual-report.txt"


def seed_bytes() -> bytes:
    return SEED.read_bytes()


def broken_report_text() -> bytes:
    """The seed with one cell wrong: 一、本年新收 自然人 = 3 while its total stays 0."""
    report = parse_report(seed_bytes(), "seed.txt")
    report["applications"]["new"][0] = 3
    return render_text(report).encode("utf-8")


def upload(client, data: bytes, name: str):
    token = csrf_from(client.get("/admin/disclosure").get_data(as_text=True))
    return client.post("/admin/disclosure/upload", data={"csrf_token": token,
                       "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def confirm(client, page: str, replace: bool = False):
    key = re.search(r"/admin/disclosure/confirm/([0-9a-f]+)", page).group(1)
    data = {"csrf_token": csrf_from(page)}
    if replace:
        data["replace"] = "1"
    return client.post(f"/admin/disclosure/confirm/{key}", data=data)


def test_upload_shows_figures_and_checks_side_by_side_before_storing(app):
    make_user(app, "ed", "editor")
    client = app.test_client()
    login(client, "ed")
    r = upload(client, seed_bytes(), "laocheng-2023.txt")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "尚未保存" in page and 'data-testid="applications"' in page and "全部 42 项通过" in page
    with app.app_context():
        assert db.session.query(DisclosureReport).count() == 0  # nothing stored yet
    r = confirm(client, page)
    assert r.status_code == 302
    with app.app_context():
        row = db.session.query(DisclosureReport).one()
        assert row.agency == "老城区政务服务和大数据管理局" and row.year == 2023 and row.checks_ok


def test_replacing_needs_the_explicit_confirmation(app):
    make_user(app, "ed", "editor")
    client = app.test_client()
    login(client, "ed")
    confirm(client, upload(client, seed_bytes(), "a.txt").get_data(as_text=True))
    page = upload(client, broken_report_text(), "b.txt").get_data(as_text=True)
    assert 'data-testid="replace-warning"' in page and "确认替换" in page
    assert confirm(client, page, replace=False).status_code == 302  # without replace=1: refused
    with app.app_context():
        assert db.session.query(DisclosureReport).one().checks_ok
    page = upload(client, broken_report_text(), "b.txt").get_data(as_text=True)
    confirm(client, page, replace=True)
    with app.app_context():
        row = db.session.query(DisclosureReport).one()
        assert row.checks_ok is False and row.source_filename == "b.txt"


def test_failing_report_stays_off_screens_until_a_reviewer_overrides(app):
    make_user(app, "ed", "editor")
    make_user(app, "rev", "reviewer")
    editor = app.test_client()
    login(editor, "ed")
    page = upload(editor, broken_report_text(), "bad.txt").get_data(as_text=True)
    assert "项未通过" in page and "check-fail" in page
    confirm(editor, page)
    with app.app_context():
        row = db.session.query(DisclosureReport).one()
        report_id, code = row.id, row.code
        layout = layouts.load_layout(app.config["LAYOUTS_DIR"], "led_wall")
        assert SlideRenderer(app, db.session, layout).render_all(f"disclosure:{code}") == []
    detail = editor.get(f"/admin/disclosure/{report_id}").get_data(as_text=True)
    assert 'data-testid="blocked-note"' in detail and 'data-testid="override-form"' not in detail
    reviewer = app.test_client()
    login(reviewer, "rev")
    detail = reviewer.get(f"/admin/disclosure/{report_id}").get_data(as_text=True)
    token = csrf_from(detail)
    short = reviewer.post(f"/admin/disclosure/{report_id}/override", data={"csrf_token": token, "reason": "太短"})
    assert short.status_code == 302
    with app.app_context():
        assert db.session.get(DisclosureReport, report_id).override_reason is None
    reviewer.post(f"/admin/disclosure/{report_id}/override",
                  data={"csrf_token": token, "reason": "原文即按此数字发布，差异已向市政务公开办报备"})
    with app.app_context():
        row = db.session.get(DisclosureReport, report_id)
        assert row.override_by == "rev"
        assert db.session.query(AuditLog).filter_by(object_type="disclosure_report", action="override").count() == 1
        layout = layouts.load_layout(app.config["LAYOUTS_DIR"], "led_wall")
        assert SlideRenderer(app, db.session, layout).render_all(f"disclosure:{code}") == []  # not yet approved
    detail = reviewer.get(f"/admin/disclosure/{report_id}").get_data(as_text=True)
    assert 'data-testid="pending-note"' in detail and 'data-testid="approve"' in detail
    assert 'data-testid="approve"' not in editor.get(f"/admin/disclosure/{report_id}").get_data(as_text=True)
    reviewer.post(f"/admin/disclosure/{report_id}/approve", data={"csrf_token": token})
    with app.app_context():
        row = db.session.get(DisclosureReport, report_id)
        assert row.status == "published" and row.pending is None and row.override_by == "rev"
        assert SlideRenderer(app, db.session, layout).render_all(f"disclosure:{code}")


def test_unreadable_upload_says_why_and_stores_nothing(app):
    make_user(app, "ed", "editor")
    client = app.test_client()
    login(client, "ed")
    r = upload(client, b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.png")
    assert r.status_code == 302
    page = client.get("/admin/disclosure").get_data(as_text=True)
    assert "无法读取" in page and "photo.png" in page
    with app.app_context():
        assert db.session.query(DisclosureReport).count() == 0


def test_agency_text_is_escaped(app):
    """The agency is read from the title line, where ``>`` and ``/`` separate breadcrumbs, so
    the payload is an unclosed tag: unescaped, it would swallow the page up to the next ``>``."""
    make_user(app, "ed", "editor")
    client = app.test_client()
    login(client, "ed")
    agency = '<img src=x onerror="alert(1)" 局'
    text = seed_bytes().decode("utf-8").replace("老城区政务服务和大数据管理局", agency, 1)
    r = upload(client, text.encode("utf-8"), "x.txt")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "尚未保存" in page  # the upload was read and is shown
    assert "&lt;img src=x onerror=&#34;alert(1)&#34; 局" in page  # as text, escaped
    assert "<img src=x" not in page
    confirm(client, page)
    with app.app_context():
        row = db.session.query(DisclosureReport).one()
        assert row.agency == agency
        report_id = row.id
    for path in ("/admin/disclosure", f"/admin/disclosure/{report_id}"):
        shown = client.get(path).get_data(as_text=True)
        assert "&lt;img src=x onerror=&#34;alert(1)&#34; 局" in shown and "<img src=x" not in shown, path
