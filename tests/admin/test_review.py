"""The review workflow rules (services, no requests): who may do what, and what reaches screens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.extensions import db
from kiosk.models import AuditLog, Department, Guide, Playlist, PlaylistItem, ScreenGroup
from kiosk.services import review
from kiosk.services.review_validate import guide_snapshot, to_json
from kiosk.services.state import build_state

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CODE = "TEST0001"


def guide_form(**over):
    form = {
        "code": CODE, "name": "测试事项", "item_type": "行政许可", "department": "gongan",
        "basis": "《某某法》", "conditions": "年满十八周岁", "process": "受理\n审核\n办结",
        "legal_limit_days": "20", "promised_limit_days": "5", "case_type": "承诺件",
        "fee": "不收费", "location": "一楼", "window": "A01", "hours": "工作日", "phone": "123",
        "complaint_phone": "12345", "visits": "1", "online": "", "online_url": "", "scope": "无",
        "audience": ["自然人"], "themes": "户籍", "faq": "要带照片吗？ | 不用",
        "materials": [{"name": "身份证", "form": "原件", "copies": "1", "necessity": "必要"}],
        "publish_from": "", "expire_at": "",
    }
    form.update(over)
    return form


def snapshot(**over):
    snap, errors = guide_snapshot(guide_form(**over), TZ, {"gongan"})
    assert errors == {}
    return to_json(snap)


@pytest.fixture
def world(app):
    with app.app_context():
        db.session.add(Department(code="gongan", name="公安局"))
        pl = Playlist(name="p", items=[PlaylistItem(position=1, ref=f"guide:{CODE}", duration=10)])
        db.session.add(ScreenGroup(name="g", default_playlist=pl))
        db.session.commit()
    with app.app_context():
        yield app


def items(app, now=NOW):
    return build_state(app, db.session, "g", "led_wall", now)["items"]


def submitted(author="ed", **over) -> review.ContentVersion:
    v = review.save_draft(db.session, "guide", snapshot(**over), author, NOW, new_item=True)
    review.submit(db.session, v, author, NOW)
    return v


def test_draft_and_submitted_versions_never_reach_screens(world):
    v = review.save_draft(db.session, "guide", snapshot(), "ed", NOW, new_item=True)
    db.session.commit()
    assert items(world) == {}
    review.submit(db.session, v, "ed", NOW)
    db.session.commit()
    assert items(world) == {} and db.session.query(Guide).count() == 0


def test_an_editor_cannot_approve(world):
    v = submitted()
    with pytest.raises(review.ReviewError, match="审核员"):
        review.approve(db.session, v, "other-editor", "editor", NOW)
    assert v.state == "submitted"


def test_nobody_approves_their_own_change(world):
    v = submitted(author="boss")
    for role in ("reviewer", "admin"):
        with pytest.raises(review.ReviewError, match="自己"):
            review.approve(db.session, v, "boss", role, NOW)
    assert v.state == "submitted"


def test_reject_needs_a_reason(world):
    v = submitted()
    with pytest.raises(review.ReviewError, match="原因"):
        review.reject(db.session, v, "rev", "reviewer", "  ", NOW)
    review.reject(db.session, v, "rev", "reviewer", "时限写错了", NOW)
    db.session.commit()
    assert v.state == "rejected" and v.reject_reason == "时限写错了"
    assert items(world) == {}


def test_approval_publishes_the_snapshot_and_the_slide_appears(world):
    v = submitted()
    assert review.approve(db.session, v, "rev", "reviewer", NOW) is True
    db.session.commit()
    guide = db.session.query(Guide).one()
    assert guide.status == "published" and guide.name == "测试事项"
    assert [m.name for m in guide.materials] == ["身份证"]
    assert "cssx" in guide.search_text  # pinyin initials of 测试事项, recomputed
    assert "测试事项" in items(world)[f"guide:{CODE}"]["html"]
    actions = [a.action for a in db.session.query(AuditLog).order_by(AuditLog.id)]
    assert actions == ["content_draft", "content_submit", "content_approve", "content_publish"]


def test_an_edit_keeps_the_old_content_live_until_approved(world):
    review.approve(db.session, submitted(), "rev", "reviewer", NOW)
    v2 = review.save_draft(db.session, "guide", snapshot(name="改过的名字"), "ed", NOW)
    review.submit(db.session, v2, "ed", NOW)
    db.session.commit()
    assert v2.number == 2 and v2.kind == "edit"
    assert "测试事项" in items(world)[f"guide:{CODE}"]["html"]
    review.approve(db.session, v2, "rev", "reviewer", NOW)
    db.session.commit()
    assert "改过的名字" in items(world)[f"guide:{CODE}"]["html"]


def test_publish_from_in_the_future_waits_then_publish_due_makes_it_live(world):
    later = (NOW + timedelta(hours=2)).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    v = submitted(publish_from=later)
    assert review.approve(db.session, v, "rev", "reviewer", NOW) is False
    db.session.commit()
    assert v.state == "approved" and items(world) == {}
    assert review.publish_due(db.session, NOW + timedelta(hours=1)) == 0
    assert review.publish_due(db.session, NOW + timedelta(hours=2)) == 1
    db.session.commit()
    assert v.state == "published"
    assert f"guide:{CODE}" in items(world, NOW + timedelta(hours=2))


def test_expire_at_takes_the_guide_off_screens(world):
    end = (NOW + timedelta(days=1)).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    review.approve(db.session, submitted(expire_at=end), "rev", "reviewer", NOW)
    db.session.commit()
    assert f"guide:{CODE}" in items(world)
    assert review.publish_due(db.session, NOW + timedelta(days=1)) == 1
    db.session.commit()
    assert db.session.query(Guide).one().status == "expired"
    assert items(world, NOW + timedelta(days=1)) == {}


def test_rollback_creates_a_draft_that_is_reviewed_like_any_change(world):
    v1 = submitted()
    review.approve(db.session, v1, "rev", "reviewer", NOW)
    v2 = review.save_draft(db.session, "guide", snapshot(name="第二版"), "ed", NOW)
    review.submit(db.session, v2, "ed", NOW)
    review.approve(db.session, v2, "rev", "reviewer", NOW)
    db.session.commit()
    v3 = review.rollback(db.session, v1, "ed", NOW)
    db.session.commit()
    assert (v3.number, v3.kind, v3.state, v3.based_on) == (3, "rollback", "draft", 1)
    assert "第二版" in items(world)[f"guide:{CODE}"]["html"]  # not live before review
    review.submit(db.session, v3, "ed", NOW)
    with pytest.raises(review.ReviewError):
        review.approve(db.session, v3, "ed", "reviewer", NOW)
    review.approve(db.session, v3, "rev", "reviewer", NOW)
    db.session.commit()
    assert "测试事项" in items(world)[f"guide:{CODE}"]["html"]


def test_history_lists_the_changed_fields(world):
    review.approve(db.session, submitted(), "rev", "reviewer", NOW)
    v2 = review.save_draft(db.session, "guide", snapshot(
        name="新名字", promised_limit_days="3",
        materials=[{"name": "身份证", "form": "原件", "copies": "2", "necessity": "必要"}]), "ed", NOW)
    db.session.commit()
    hist = review.history(db.session, "guide", CODE, TZ)
    assert hist[0][0] is v2
    changes = {c["field"]: c for c in hist[0][1]}
    assert set(changes) == {"name", "promised_limit_days", "materials"}
    assert changes["name"]["before"] == "测试事项" and changes["name"]["after"] == "新名字"
    assert "2 份" in changes["materials"]["after"]
    assert {c["field"] for c in hist[1][1]} >= {"code", "name", "materials"}  # v1: all new


def test_stale_guides_use_the_last_approval(world):
    review.approve(db.session, submitted(), "rev", "reviewer", NOW)
    db.session.add(Guide(code="OLD", name="旧指南", item_type="行政许可", case_type="即办件",
                         department=db.session.query(Department).one(),
                         updated_at=NOW - timedelta(days=400)))
    db.session.commit()
    db.session.query(Guide).filter_by(code="OLD").update({"updated_at": NOW - timedelta(days=400)})
    db.session.commit()
    assert [g.code for g in review.stale_guides(db.session, NOW + timedelta(days=10))] == ["OLD"]
    assert {g.code for g in review.stale_guides(db.session, NOW + timedelta(days=200))} == {"OLD", CODE}


def test_form_validation_messages_per_field(world):
    snap, errors = guide_snapshot(guide_form(
        name="", item_type="乱写", legal_limit_days="abc", promised_limit_days="30",
        online="1", online_url="", materials=[{"name": "", "form": "原件", "copies": "x", "necessity": "必要"}],
        faq="没有竖线", expire_at="明天"), TZ, {"gongan"})
    assert errors["name"] == "请填写事项名称"
    assert "不是有效的事项类型" in errors["item_type"]
    assert "应为整数" in errors["legal_limit_days"]
    assert errors["online_url"] == "选择了可网办时请填写网办地址"
    assert errors["materials.1.name"] and "应为整数" in errors["materials.1.copies"]
    assert "问题 | 回答" in errors["faq"] and "日期时间" in errors["expire_at"]
    _, errors = guide_snapshot(guide_form(promised_limit_days="30"), TZ, {"gongan"})
    assert "不能超过法定时限" in errors["promised_limit_days"]


def test_the_diff_shows_a_changed_material_note_and_a_replaced_sample_form():
    """A reviewer approves what the diff shows: a note-only or file-only change must show."""
    material = {"name": "居民户口簿", "form": "原件", "copies": 1, "necessity": "必要", "note": "",
                "sample_form": "uploads/aaaa.pdf", "blank_form": None}
    old = {"materials": [material]}
    noted = {"materials": [{**material, "note": "外地户籍需另附居住证"}]}
    [change] = review.diff(old, noted, "guide")
    assert change["field"] == "materials" and "外地户籍需另附居住证" in change["after"]
    replaced = {"materials": [{**material, "sample_form": "uploads/bbbb.pdf"}]}
    [change] = review.diff(old, replaced, "guide")
    assert "aaaa.pdf" in change["before"] and "bbbb.pdf" in change["after"]
    assert review.diff(old, {"materials": [dict(material)]}, "guide") == []
