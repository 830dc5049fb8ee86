"""The content pages and the review queue through the real forms (test client, CSRF tokens)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from kiosk.extensions import db
from kiosk.models import (
    AuditLog,
    ContentVersion,
    Department,
    Guide,
    Notice,
    Playlist,
    PlaylistItem,
    ScreenGroup,
)
from kiosk.services.state import build_state

from .conftest import client_as, csrf_from, make_user, text_of

CODE = "NEW-0001"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def panel(app):
    with app.app_context():
        db.session.add(Department(code="gongan", name="公安局"))
        pl = Playlist(name="p", items=[PlaylistItem(position=1, ref=f"guide:{CODE}", duration=10)])
        db.session.add(ScreenGroup(name="g", default_playlist=pl))
        db.session.commit()
    for name, role in (("ed", "editor"), ("ed2", "editor"), ("rev", "reviewer"), ("boss", "admin")):
        make_user(app, name, role)
    return app


def guide_form(token, **over):
    data = {
        "csrf_token": token, "code": CODE, "name": "新生儿落户", "item_type": "行政确认",
        "department": "gongan", "basis": "《户口登记条例》", "conditions": "出生一个月内",
        "process": "申请\n受理\n办结", "legal_limit_days": "20", "promised_limit_days": "1",
        "case_type": "即办件", "fee": "不收费", "location": "一楼 A 区", "window": "A01",
        "hours": "工作日 9:00-17:00", "phone": "0379-1", "complaint_phone": "12345", "visits": "1",
        "online_url": "", "scope": "全市通办", "audience": "自然人", "themes": "户籍",
        "faq": "需要父母到场吗？ | 一方即可", "m-count": "1", "m-0-name": "出生医学证明",
        "m-0-form": "原件", "m-0-copies": "1", "m-0-necessity": "必要", "publish_from": "",
        "expire_at": "", "action": "submit",
    }
    data.update(over)
    return data


def create(app, client=None, **over):
    client = client or client_as(app, "ed")
    token = csrf_from(client.get("/admin/content/guides/new").text)
    return client, client.post("/admin/content/guides/new", data=guide_form(token, **over))


def queued(app) -> ContentVersion:
    with app.app_context():
        v = db.session.query(ContentVersion).order_by(ContentVersion.id.desc()).first()
        db.session.expunge(v)
        return v


def slide_items(app):
    with app.app_context():
        return build_state(app, db.session, "g", "led_wall", datetime.now(UTC))["items"]


def test_editor_creates_reviewer_approves_and_the_slide_appears(panel):
    _, r = create(panel)
    assert r.status_code == 302 and r.location.endswith(f"/admin/content/guide/{CODE}/history")
    v = queued(panel)
    assert v.state == "submitted" and v.kind == "create" and v.author == "ed"
    assert slide_items(panel) == {}
    rev = client_as(panel, "rev")
    page = rev.get("/admin/review")
    assert "新生儿落户" in text_of(page) and 'data-field="materials"' in page.text
    r = rev.post(f"/admin/review/{v.id}/approve", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 302
    assert "已通过并发布" in text_of(rev.get("/admin/review"))
    assert "新生儿落户" in slide_items(panel)[f"guide:{CODE}"]["html"]
    assert panel.test_client().get(f"/g/{CODE}").status_code == 200
    with panel.app_context():
        assert db.session.query(AuditLog).filter_by(action="content_publish", object_id=CODE).count() == 1


def test_editors_cannot_open_the_queue_or_approve(panel):
    create(panel)
    v = queued(panel)
    ed2 = client_as(panel, "ed2")
    token = csrf_from(ed2.get("/admin/content/guides").text)
    assert ed2.get("/admin/review").status_code == 403
    assert ed2.post(f"/admin/review/{v.id}/approve", data={"csrf_token": token}).status_code == 403
    assert queued(panel).state == "submitted"


def test_an_admin_cannot_approve_their_own_change(panel):
    boss = client_as(panel, "boss")
    create(panel, boss)
    v = queued(panel)
    page = boss.get("/admin/review")
    assert "需由另一位审核员审核" in text_of(page)
    r = boss.post(f"/admin/review/{v.id}/approve", data={"csrf_token": csrf_from(page.text)},
                  follow_redirects=True)
    assert "不能审核自己提交的修改" in text_of(r)
    assert queued(panel).state == "submitted" and slide_items(panel) == {}


def test_reject_needs_a_reason_shown_next_to_the_field_and_the_editor_sees_it(panel):
    ed, _ = create(panel)
    v = queued(panel)
    rev = client_as(panel, "rev")
    token = csrf_from(rev.get("/admin/review").text)
    r = rev.post(f"/admin/review/{v.id}/reject", data={"csrf_token": token, "reason": " "})
    assert r.status_code == 400 and "请填写退回原因" in text_of(r)
    r = rev.post(f"/admin/review/{v.id}/reject", data={"csrf_token": token, "reason": "时限不对"})
    assert r.status_code == 302 and queued(panel).state == "rejected"
    assert "时限不对" in text_of(ed.get(f"/admin/content/guides/{CODE}/edit"))
    assert "退回原因：时限不对" in text_of(ed.get(f"/admin/content/guide/{CODE}/history"))


def test_guide_form_messages_are_next_to_the_fields_and_input_is_kept(panel):
    _, r = create(panel, name="", item_type="", legal_limit_days="十天", online="1", online_url="",
                  **{"m-0-copies": "两份"}, location="保留我")
    assert r.status_code == 400
    html = r.text
    assert 'id="name-error"' in html and "请填写事项名称" in html
    assert 'id="item_type-error"' in html and "请选择事项类型" in html
    assert 'id="legal_limit_days-error"' in html and "应为整数" in html
    assert "选择了可网办时请填写网办地址" in html
    assert 'id="materials-1-copies-error"' in html
    assert 'value="保留我"' in html and "两份" in html
    with panel.app_context():
        assert db.session.query(ContentVersion).count() == 0


def test_material_rows_can_be_added_and_removed_and_sample_forms_uploaded(panel):
    client = client_as(panel, "ed")
    token = csrf_from(client.get("/admin/content/guides/new").text)
    r = client.post("/admin/content/guides/new", data=guide_form(token, action="add_row"))
    assert r.status_code == 200 and 'name="m-1-name"' in r.text
    data = guide_form(token, **{"m-count": "2", "m-1-name": "户口簿", "m-1-form": "原件",
                                "m-1-copies": "1", "m-1-necessity": "容缺"})
    data["m-0-sample_file"] = (io.BytesIO(b"not a picture"), "a.exe")
    r = client.post("/admin/content/guides/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 400 and "不是 PDF、PNG 或 JPEG" in text_of(r)
    data = guide_form(token, **{"m-count": "2", "m-1-name": "户口簿", "m-1-form": "原件",
                                "m-1-copies": "1", "m-1-necessity": "容缺", "m-0-remove": "1"})
    data["m-1-sample_file"] = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100), "样表.png")
    r = client.post("/admin/content/guides/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 302
    mats = queued(panel).data["materials"]
    assert [m["name"] for m in mats] == ["户口簿"] and mats[0]["necessity"] == "容缺"
    assert mats[0]["sample_form"].startswith("uploads/") and mats[0]["sample_form"].endswith(".png")
    from pathlib import Path
    assert (Path(panel.config["DATA_DIR"]) / mats[0]["sample_form"]).is_file()


def test_xss_typed_into_text_fields_is_escaped_everywhere(panel):
    _, r = create(panel, name=XSS, window=XSS, **{"m-0-name": XSS}, faq=f"{XSS} | {XSS}")
    assert r.status_code == 302
    v = queued(panel)
    rev = client_as(panel, "rev")
    pages = [rev.get("/admin/review"), rev.get(f"/admin/content/guide/{CODE}/history"),
             rev.get(f"/admin/content/versions/{v.id}/slide")]
    rev.post(f"/admin/review/{v.id}/approve", data={"csrf_token": csrf_from(pages[0].text)})
    pages += [rev.get("/admin/content/guides"), rev.get(f"/admin/content/guides/{CODE}/edit"),
              panel.test_client().get(f"/g/{CODE}")]
    html = [p.get_data(as_text=True) for p in pages] + [slide_items(panel)[f"guide:{CODE}"]["html"]]
    for page in html:
        assert "<script>alert" not in page and "<img src=x" not in page
    for page in html[:-1]:
        assert "&lt;script&gt;" in page
    assert "&lt;script&gt;" in html[-1]


def test_notice_body_is_sanitised_and_goes_through_review(panel):
    ed = client_as(panel, "ed")
    token = csrf_from(ed.get("/admin/content/notices/new").text)
    r = ed.post("/admin/content/notices/new", data={
        "csrf_token": token, "code": "n1", "kind": "notice", "title": "午休通知",
        "body": '<p onclick="x()">中午 <strong>12:00</strong></p><script>alert(1)</script>'
                '<img src="javascript:alert(1)">', "publish_from": "", "expire_at": "",
        "action": "submit"})
    assert r.status_code == 302
    v = queued(panel)
    assert v.data["body_html"] == "<p>中午 <strong>12:00</strong></p><img>"
    slide = ed.get(f"/admin/content/versions/{v.id}/slide?layout=window")
    assert slide.status_code == 200 and "午休通知" in slide.text and "<script>" not in slide.text
    with panel.app_context():
        assert db.session.query(Notice).count() == 0
    rev = client_as(panel, "rev")
    rev.post(f"/admin/review/{v.id}/approve", data={"csrf_token": csrf_from(rev.get("/admin/review").text)})
    with panel.app_context():
        assert db.session.query(Notice).one().title == "午休通知"


def test_ticker_line_with_unknown_group_is_refused(panel):
    ed = client_as(panel, "ed")
    token = csrf_from(ed.get("/admin/content/ticker/new").text)
    r = ed.post("/admin/content/ticker/new", data={"csrf_token": token, "code": "t1", "text": "欢迎",
                                                   "groups": "nope", "action": "save"})
    assert r.status_code == 400 and "没有这个屏幕分组" in text_of(r)
    r = ed.post("/admin/content/ticker/new", data={"csrf_token": token, "code": "t1", "text": "欢迎",
                                                   "groups": "g", "action": "save"})
    assert r.status_code == 302 and queued(panel).state == "draft"


def test_preview_renders_the_draft_at_the_layout_size(panel):
    create(panel, action="save")
    v = queued(panel)
    ed = client_as(panel, "ed")
    page = ed.get(f"/admin/content/versions/{v.id}/preview?layout=led_wall")
    assert page.status_code == 200 and 'data-testid="preview-frame"' in page.text
    slide = ed.get(f"/admin/content/versions/{v.id}/slide?layout=led_wall")
    assert slide.status_code == 200 and "新生儿落户" in slide.text and "slide" in slide.text
    assert slide.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "script-src 'none'" in slide.headers["Content-Security-Policy"]
    assert "/static/display/screen.css" in slide.text
    with panel.app_context():
        assert db.session.query(Guide).count() == 0


def test_rollback_from_the_history_page_creates_a_draft(panel):
    create(panel)
    rev = client_as(panel, "rev")
    rev.post(f"/admin/review/{queued(panel).id}/approve", data={"csrf_token": csrf_from(rev.get("/admin/review").text)})
    ed, r = create(panel)  # same code again is refused: it exists now
    assert r.status_code == 400 and "该编码已被使用" in text_of(r)
    token = csrf_from(ed.get(f"/admin/content/guides/{CODE}/edit").text)
    ed.post(f"/admin/content/guides/{CODE}/edit", data=guide_form(token, name="改名"))
    rev.post(f"/admin/review/{queued(panel).id}/approve", data={"csrf_token": csrf_from(rev.get("/admin/review").text)})
    hist = ed.get(f"/admin/content/guide/{CODE}/history")
    assert "改名" in text_of(hist) and hist.text.count('data-testid="rollback"') == 1
    with panel.app_context():
        first = db.session.query(ContentVersion).filter_by(number=1).one().id
    r = ed.post(f"/admin/content/versions/{first}/rollback", data={"csrf_token": csrf_from(hist.text)})
    assert r.status_code == 302
    v = queued(panel)
    assert (v.number, v.kind, v.state) == (3, "rollback", "draft")
    assert "改名" in slide_items(panel)[f"guide:{CODE}"]["html"]
