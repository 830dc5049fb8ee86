"""一件事 bundles and playlists through the review workflow: the real forms (test client, CSRF
tokens) and the service rules; only approved versions reach the screens' state."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.extensions import db
from kiosk.models import (
    AuditLog,
    Bundle,
    ContentVersion,
    Department,
    Guide,
    Material,
    Notice,
    Playlist,
    PlaylistItem,
    ScreenGroup,
)
from kiosk.services import review, review_kinds
from kiosk.services.publish import get_publisher
from kiosk.services.review_validate import to_json
from kiosk.services.state import build_state

from .conftest import client_as, csrf_from, make_user, text_of

TZ = ZoneInfo("Asia/Shanghai")
G1, G2, G3 = "G-0001", "G-0002", "G-0003"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _guide(code, name, dept, materials):
    return Guide(code=code, name=name, item_type="行政确认", case_type="即办件", department=dept,
                 materials=[Material(position=i, name=n, form="原件", copies=c, necessity=nec)
                            for i, (n, c, nec) in enumerate(materials, 1)])


@pytest.fixture
def panel(app):
    """Three live guides, a notice, group "g" whose default playlist "p" shows G1 and the
    bundle "b1" (not created yet); editors ed/ed2, reviewer rev, admin boss."""
    with app.app_context():
        gongan = Department(code="gongan", name="公安局")
        yibao = Department(code="yibao", name="医保局")
        db.session.add_all([
            _guide(G1, "出生登记", gongan, [("出生医学证明", 1, "必要"), ("户口簿", 1, "必要")]),
            _guide(G2, "医保参保登记", yibao, [("户口簿", 2, "容缺"), ("照片", 1, "容缺")]),
            _guide(G3, "社保卡申领", yibao, []),
            Notice(code="n1", title="午休通知", body_html="<p>12:00</p>"),
        ])
        pl = Playlist(name="p", items=[PlaylistItem(position=1, ref=f"guide:{G1}", duration=10),
                                       PlaylistItem(position=2, ref="bundle:b1", duration=20)])
        db.session.add(ScreenGroup(name="g", default_playlist=pl))
        db.session.commit()
    for name, role in (("ed", "editor"), ("ed2", "editor"), ("rev", "reviewer"), ("boss", "admin")):
        make_user(app, name, role)
    return app


@pytest.fixture
def published(panel, monkeypatch):
    """Records each time a view asks the publisher to republish."""
    calls: list[object] = []
    monkeypatch.setattr(get_publisher(panel), "changed", lambda groups=None: calls.append(groups) or 0)
    return calls


def bundle_form(token, guides=(G1, G2), **over):
    data = {"csrf_token": token, "code": "b1", "name": "新生儿出生一件事", "description": "一次申请，联办",
            "promised_limit_days": "5", "visits": "0", "window": "F区 5号窗口", "publish_from": "",
            "expire_at": "", "action": "submit", "g-count": str(len(guides))}
    data.update({f"g-{i}-code": code for i, code in enumerate(guides)})
    data.update(over)
    return data


def playlist_form(token, items=((f"guide:{G1}", "10"),), **over):
    data = {"csrf_token": token, "code": "new-list", "title": "新列表", "publish_from": "",
            "action": "submit", "p-count": str(len(items))}
    for i, (ref, duration) in enumerate(items):
        data[f"p-{i}-ref"], data[f"p-{i}-duration"] = ref, duration
    data.update(over)
    return data


def post_new(app, kind, form, client=None, **kw):
    client = client or client_as(app, "ed")
    path = f"/admin/content/{kind}s/new"
    token = csrf_from(client.get(path).text)
    return client, client.post(path, data=form(token, **kw))


def latest(app) -> ContentVersion:
    with app.app_context():
        v = db.session.query(ContentVersion).order_by(ContentVersion.id.desc()).first()
        db.session.expunge(v)
        return v


def approve(app, v, who="rev"):
    client = client_as(app, who)
    page = client.get("/admin/review")
    return client.post(f"/admin/review/{v.id}/approve", data={"csrf_token": csrf_from(page.text)},
                       follow_redirects=True)


def rows(html: str, prefix: str, key: str) -> list[str]:
    """The values of the form's row inputs, in order (not the datalist's options)."""
    return re.findall(rf'name="{prefix}-\d+-{key}" value="([^"]*)"', html)


def state(app, now=None):
    with app.app_context():
        return build_state(app, db.session, "g", "led_wall", now or datetime.now(UTC))


# -- bundles ----------------------------------------------------------------------------------------
def test_bundle_reaches_the_screen_only_after_another_user_approves(panel, published):
    _, r = post_new(panel, "bundle", bundle_form)
    assert r.status_code == 302 and r.location.endswith("/admin/content/bundle/b1/history")
    v = latest(panel)
    assert (v.object_type, v.state, v.kind, v.data["guides"]) == ("bundle", "submitted", "create", [G1, G2])
    assert "bundle:b1" not in state(panel)["items"]
    with panel.app_context():
        assert db.session.query(Bundle).count() == 0

    page = client_as(panel, "rev").get("/admin/review")
    assert "一件事 · 新建：新生儿出生一件事" in text_of(page)
    assert "1. 出生登记 G-0001" in text_of(page)  # the diff names the guides, not only codes
    r = approve(panel, v)
    assert "已通过并发布：新生儿出生一件事" in text_of(r)
    assert published == [None]  # the publisher was asked to republish every screen
    with panel.app_context():
        bundle = db.session.query(Bundle).one()
        assert bundle.status == "published" and [g.code for g in bundle.guides] == [G1, G2]
        assert (bundle.visits, bundle.promised_limit_days, bundle.window) == (0, 5, "F区 5号窗口")
        actions = [a.action for a in db.session.query(AuditLog).filter_by(object_type="bundle").order_by(AuditLog.id)]
    assert actions == ["content_draft", "content_submit", "content_approve", "content_publish"]
    html = state(panel)["items"]["bundle:b1"]["html"]
    assert "新生儿出生一件事" in html and "出生医学证明" in html and "零跑动" in html
    assert html.count("户口簿") == 1  # merged: the same document is asked for once


def test_editors_cannot_approve_and_nobody_approves_their_own_bundle(panel):
    post_new(panel, "bundle", bundle_form)
    v = latest(panel)
    ed2 = client_as(panel, "ed2")
    token = csrf_from(ed2.get("/admin/content/bundles").text)
    assert ed2.post(f"/admin/review/{v.id}/approve", data={"csrf_token": token}).status_code == 403
    with panel.app_context(), pytest.raises(review.ReviewError, match="审核员"):
        review.approve(db.session, db.session.get(ContentVersion, v.id), "ed2", "editor", datetime.now(UTC))
    boss = client_as(panel, "boss")
    post_new(panel, "bundle", bundle_form, client=boss, code="b2")
    mine = latest(panel)
    assert "不能审核自己提交的修改" in text_of(approve(panel, mine, "boss"))
    assert latest(panel).state == "submitted" and "bundle:b1" not in state(panel)["items"]


def test_bundle_form_messages_are_next_to_the_fields(panel):
    _, r = post_new(panel, "bundle", bundle_form, guides=(G1, "NOPE", G1), name="", visits="两次")
    assert r.status_code == 400
    html = r.text
    assert 'id="guides-2-error"' in html and "没有实施编码为“NOPE”的办事指南" in html
    assert 'id="guides-3-error"' in html and "与第 1 项重复：出生登记" in html
    assert 'id="name-error"' in html and "请填写名称" in html
    assert 'id="visits-error"' in html and "应为整数" in html
    assert 'value="NOPE"' in html and "一次申请，联办" in html  # nothing typed is lost
    _, r = post_new(panel, "bundle", bundle_form, guides=("", ""))
    assert r.status_code == 400 and 'id="guides-error"' in r.text and "请至少选择一项办事指南" in r.text
    _, r = post_new(panel, "bundle", bundle_form, code="有 空格")
    assert r.status_code == 400 and 'id="code-error"' in r.text
    with panel.app_context():
        assert db.session.query(ContentVersion).count() == 0


def test_bundle_rows_are_added_moved_and_removed_without_saving(panel):
    ed = client_as(panel, "ed")
    token = csrf_from(ed.get("/admin/content/bundles/new").text)
    r = ed.post("/admin/content/bundles/new", data=bundle_form(token, guides=(G1, G2, G3), action="g-up-2"))
    assert r.status_code == 200 and rows(r.text, "g", "code") == [G1, G3, G2]
    r = ed.post("/admin/content/bundles/new", data=bundle_form(token, guides=(G1, G2), action="g-del-0"))
    assert rows(r.text, "g", "code") == [G2]
    r = ed.post("/admin/content/bundles/new", data=bundle_form(token, guides=(G1,), action="g-add"))
    assert rows(r.text, "g", "code") == [G1, ""]
    # the merged material list is computed from the guides listed
    assert "合并后的材料清单" in r.text and "出生医学证明" in r.text
    with panel.app_context():
        assert db.session.query(ContentVersion).count() == 0


def test_bundle_preview_renders_the_slide_of_the_draft(panel):
    post_new(panel, "bundle", bundle_form, action="save")
    v = latest(panel)
    ed = client_as(panel, "ed")
    hist = ed.get("/admin/content/bundle/b1/history")
    assert f"/admin/content/versions/{v.id}/preview" in hist.text
    page = ed.get(f"/admin/content/versions/{v.id}/preview?layout=window")
    assert page.status_code == 200 and 'data-testid="preview-frame"' in page.text
    slide = ed.get(f"/admin/content/versions/{v.id}/slide?layout=window")
    assert slide.status_code == 200 and 'data-kind="bundle"' in slide.text
    assert "新生儿出生一件事" in slide.text and "医保参保登记" in slide.text and "照片" in slide.text
    assert "script-src 'none'" in slide.headers["Content-Security-Policy"]
    with panel.app_context():
        assert db.session.query(Bundle).count() == 0


def test_bundle_edit_and_rollback_are_reviewed(panel, published):
    post_new(panel, "bundle", bundle_form)
    approve(panel, latest(panel))
    ed = client_as(panel, "ed")
    token = csrf_from(ed.get("/admin/content/bundles/b1/edit").text)
    r = ed.post("/admin/content/bundles/b1/edit", data=bundle_form(token, guides=(G3, G1), name="改名一件事"))
    assert r.status_code == 302
    assert "改名一件事" not in state(panel)["items"]["bundle:b1"]["html"]  # old one stays live
    approve(panel, latest(panel))
    assert "改名一件事" in state(panel)["items"]["bundle:b1"]["html"]
    with panel.app_context():
        assert [g.code for g in db.session.query(Bundle).one().guides] == [G3, G1]
        first = db.session.query(ContentVersion).filter_by(object_type="bundle", number=1).one().id
    hist = ed.get("/admin/content/bundle/b1/history")
    assert "联办事项（按顺序）" in text_of(hist)
    r = ed.post(f"/admin/content/versions/{first}/rollback", data={"csrf_token": csrf_from(hist.text)})
    assert r.status_code == 302
    v = latest(panel)
    assert (v.number, v.kind, v.state, v.data["guides"]) == (3, "rollback", "draft", [G1, G2])
    assert "改名一件事" in state(panel)["items"]["bundle:b1"]["html"]  # not live before review
    ed.post(f"/admin/content/versions/{v.id}/submit", data={"csrf_token": csrf_from(hist.text)})
    assert latest(panel).state == "submitted"
    approve(panel, v)
    html = state(panel)["items"]["bundle:b1"]["html"]
    assert "新生儿出生一件事" in html and "改名一件事" not in html
    assert len(published) == 3


def test_xss_in_a_bundle_name_is_inert_in_the_panel_and_the_slide(panel):
    _, r = post_new(panel, "bundle", bundle_form, name=XSS, description=XSS, window=XSS)
    assert r.status_code == 302
    v = latest(panel)
    rev = client_as(panel, "rev")
    pages = [rev.get("/admin/review"), rev.get("/admin/content/bundle/b1/history"),
             rev.get(f"/admin/content/versions/{v.id}/slide?layout=led_wall")]
    approve(panel, v)
    pages += [rev.get("/admin/content/bundles"), rev.get("/admin/content/bundles/b1/edit")]
    html = [p.get_data(as_text=True) for p in pages] + [state(panel)["items"]["bundle:b1"]["html"]]
    for page in html:
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


# -- playlists --------------------------------------------------------------------------------------
def test_new_playlist_is_offered_to_the_schedule_only_after_approval(panel, published):
    items = ((f"guide:{G1}", "10"), ("notice:n1", "30"), ("evaluation:department:gongan", "15"))
    _, r = post_new(panel, "playlist", playlist_form, items=items)
    assert r.status_code == 302 and r.location.endswith("/admin/content/playlist/new-list/history")
    v = latest(panel)
    assert v.data["items"][1] == {"ref": "notice:n1", "duration": 30} and v.data["expire_at"] is None
    admin = client_as(panel, "boss")
    assert 'value="new-list"' not in admin.get("/admin/schedule/new").text
    assert "播放列表 · 新建：新列表" in text_of(client_as(panel, "rev").get("/admin/review"))
    assert "2. 通知公告：午休通知（30 秒）" in text_of(client_as(panel, "rev").get("/admin/review"))
    approve(panel, v)
    assert published == [None]
    with panel.app_context():
        pl = db.session.query(Playlist).filter_by(name="new-list").one()
        assert pl.title == "新列表" and [(i.ref, i.duration) for i in pl.items] == [
            (f"guide:{G1}", 10), ("notice:n1", 30), ("evaluation:department:gongan", 15)]
    assert 'value="new-list"' in admin.get("/admin/schedule/new").text
    assert "new-list" in text_of(admin.get("/admin/content/playlists"))


def test_playlist_validation_messages_next_to_each_row(panel):
    items = (("guide:NOPE", "10"), ("bundle:b9", "2"), ("weather:today", "601"), (f"guide:{G1}", "abc"))
    _, r = post_new(panel, "playlist", playlist_form, items=items, code="bad name")
    assert r.status_code == 400
    html = r.text
    assert 'id="items-1-ref-error"' in html and "引用的内容不存在：“guide:NOPE”" in html
    assert 'id="items-2-ref-error"' in html and 'id="items-2-duration-error"' in html
    assert "时长应在 3–600 秒之间" in html
    assert 'id="items-3-ref-error"' in html and "不是有效的内容引用" in html
    assert 'id="items-3-duration-error"' in html
    assert 'id="items-4-duration-error"' in html and "时长应为整数秒" in html
    assert 'id="code-error"' in html and 'value="weather:today"' in html
    _, r = post_new(panel, "playlist", playlist_form, items=())
    assert r.status_code == 400 and "请至少添加一项播放内容" in r.text
    _, r = post_new(panel, "playlist", playlist_form, code="p")  # the name is taken
    assert r.status_code == 400 and "该编码已被使用" in text_of(r)
    with panel.app_context():
        assert db.session.query(ContentVersion).count() == 0


def test_editing_a_scheduled_playlist_changes_screens_only_after_approval(panel, published):
    ed = client_as(panel, "ed")
    page = ed.get("/admin/content/playlists/p/edit")
    assert 'value="bundle:b1"' in page.text  # the live items are the starting point
    token = csrf_from(page.text)
    r = ed.post("/admin/content/playlists/p/edit",
                data=playlist_form(token, items=(("notice:n1", "12"), (f"guide:{G1}", "10"))))
    assert r.status_code == 302
    before = state(panel)
    assert [i["id"] for i in before["timeline"][0]["items"]] == [f"guide:{G1}"]
    approve(panel, latest(panel))
    assert published == [None]
    after = state(panel)
    assert [(i["id"], i["duration"]) for i in after["timeline"][0]["items"]] == [
        ("notice:n1", 12), (f"guide:{G1}", 10)]
    with panel.app_context():
        assert db.session.query(Playlist).filter_by(name="p").one().title == "新列表"


def test_playlist_rows_move_and_the_rollback_is_reviewed(panel):
    ed = client_as(panel, "ed")
    token = csrf_from(ed.get("/admin/content/playlists/p/edit").text)
    form = playlist_form(token, items=((f"guide:{G1}", "10"), ("notice:n1", "12")), action="p-down-0")
    r = ed.post("/admin/content/playlists/p/edit", data=form)
    assert r.status_code == 200 and rows(r.text, "p", "ref") == ["notice:n1", f"guide:{G1}"]
    ed.post("/admin/content/playlists/p/edit", data=playlist_form(token, items=(("notice:n1", "12"),)))
    approve(panel, latest(panel))
    ed.post("/admin/content/playlists/p/edit", data=playlist_form(token, items=((f"guide:{G1}", "30"),)))
    approve(panel, latest(panel))
    hist = ed.get("/admin/content/playlist/p/history")
    assert hist.text.count('data-testid="rollback"') == 1
    with panel.app_context():
        first = review.versions(db.session, "playlist", "p")[-1].id
    ed.post(f"/admin/content/versions/{first}/rollback", data={"csrf_token": csrf_from(hist.text)})
    rb = latest(panel)
    assert (rb.kind, rb.state) == ("rollback", "draft")
    assert [i["duration"] for i in state(panel)["timeline"][0]["items"]] == [30]
    ed.post(f"/admin/content/versions/{rb.id}/submit", data={"csrf_token": csrf_from(hist.text)})
    approve(panel, rb)
    assert [i["id"] for i in state(panel)["timeline"][0]["items"]] == ["notice:n1"]


def test_publish_from_waits_and_content_gone_meanwhile_is_refused(panel):
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    later = (now + timedelta(hours=2)).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    with panel.app_context():
        refs = review_kinds.ref_labels(db.session)
        snap, errors = review_kinds.playlist_snapshot(
            {"code": "p", "items": [{"ref": "notice:n1", "duration": "20"}], "publish_from": later}, TZ, refs)
        assert errors == {}
        v = review.save_draft(db.session, "playlist", to_json(snap), "ed", now)
        review.submit(db.session, v, "ed", now)
        assert review.approve(db.session, v, "rev", "reviewer", now) is False
        db.session.commit()
        assert [i.ref for i in db.session.query(Playlist).filter_by(name="p").one().items][0] == f"guide:{G1}"
        assert review.publish_due(db.session, now + timedelta(hours=2)) == 1
        db.session.commit()
        assert [i.ref for i in db.session.query(Playlist).filter_by(name="p").one().items] == ["notice:n1"]

        snap, _ = review_kinds.playlist_snapshot({"code": "p", "items": [{"ref": "notice:n1"}]}, TZ, refs)
        assert snap["items"] == [{"ref": "notice:n1", "duration": review_kinds.DURATION_DEFAULT}]
        v2 = review.save_draft(db.session, "playlist", snap, "ed", now)
        review.submit(db.session, v2, "ed", now)
        db.session.delete(db.session.query(Notice).one())
        db.session.flush()
        with pytest.raises(review.ReviewError, match="播放内容已不存在：notice:n1"):
            review.approve(db.session, v2, "rev", "reviewer", now)


def test_bundle_expire_at_takes_it_off_screens(panel):
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    end = (now + timedelta(days=1)).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    with panel.app_context():
        raw = {"code": "b1", "name": "限时一件事", "guides": [G2, G3], "expire_at": end}
        snap, errors = review_kinds.bundle_snapshot(raw, TZ, review_kinds.guide_names(db.session))
        assert errors == {}
        v = review.save_draft(db.session, "bundle", to_json(snap), "ed", now, new_item=True)
        review.submit(db.session, v, "ed", now)
        assert review.approve(db.session, v, "rev", "reviewer", now) is True
        db.session.commit()
    assert "限时一件事" in state(panel, now)["items"]["bundle:b1"]["html"]
    with panel.app_context():
        assert review.publish_due(db.session, now + timedelta(days=1)) == 1
        db.session.commit()
        assert db.session.query(Bundle).one().status == "expired"
    assert "bundle:b1" not in state(panel, now + timedelta(days=1))["items"]
