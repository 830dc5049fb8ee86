"""The schedule page: week grid with conflicts and gaps from the screens' resolver, the
"what will this screen show" answer, entry create/edit/delete with validation and publish."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.extensions import db, socketio
from kiosk.models import AuditLog, Playlist, PlaylistItem, ScheduleEntry, Screen, ScreenGroup
from kiosk.services.schedule import resolve
from kiosk.services.state import load_rows

from .conftest import login, make_user, page_token, text_of

MONDAY = date(2026, 11, 30)


@pytest.fixture
def world(app):
    """Group "hall" without a default playlist, one screen, two playlists and two entries
    that overlap on 10:00–11:00 every day."""
    with app.app_context():
        morning = Playlist(name="morning", items=[PlaylistItem(position=1, ref="notice:n1", duration=20)])
        news = Playlist(name="news", items=[PlaylistItem(position=1, ref="guide:g1", duration=10),
                                            PlaylistItem(position=2, ref="guide:g2", duration=15)])
        group = ScreenGroup(name="hall")
        db.session.add_all([morning, news, group])
        db.session.flush()
        screen = Screen(name="大厅屏", kind="led_wall", layout="led_wall", group_id=group.id)
        db.session.add_all([
            screen,
            ScheduleEntry(name="上午", playlist=morning, groups=["hall"], start_time=time(9), end_time=time(12),
                          priority=5),
            ScheduleEntry(name="新闻", playlist=news, groups=[], start_time=time(10), end_time=time(11),
                          priority=1),
        ])
        db.session.commit()
        ids = {"screen": screen.id, "token": screen.token}
    for role in ("admin", "reviewer", "editor", "viewer"):
        make_user(app, role, role)
    return ids


def signed_in(app, role="admin"):
    client = app.test_client()
    assert login(client, role).status_code == 302
    return client


def cell(html: str, day: date, hour: int) -> str:
    match = re.search(rf'<td [^>]*data-day="{day.isoformat()}" data-hour="{hour}"[^>]*>', html)
    assert match, (day, hour)
    return match.group(0)


def test_week_marks_conflict_and_gap(app, world):
    client = signed_in(app, "viewer")
    page = client.get("/admin/schedule", query_string={"group": "hall", "start": MONDAY.isoformat()}).text
    ten = cell(page, MONDAY, 10)
    assert 'data-conflict="新闻"' in ten and 'data-winner="上午"' in ten and "sched-conflict" in ten
    assert "新闻 被“上午”覆盖" in page
    nine = cell(page, MONDAY, 9)
    assert 'data-mode="scheduled"' in nine and "data-conflict" not in nine and "data-gap" not in nine
    three = cell(page, MONDAY + timedelta(days=2), 3)
    assert 'data-mode="gap"' in three and 'data-gap="1"' in three
    assert "个小时有冲突" in page and "个小时屏幕无内容" in page


def test_default_playlist_fills_the_gaps(app, world):
    with app.app_context():
        group = db.session.query(ScreenGroup).filter_by(name="hall").one()
        group.default_playlist = db.session.query(Playlist).filter_by(name="news").one()
        db.session.commit()
    page = signed_in(app).get("/admin/schedule", query_string={"group": "hall", "start": MONDAY.isoformat()}).text
    assert 'data-mode="default"' in cell(page, MONDAY, 3)
    assert "data-gap" not in cell(page, MONDAY, 3)


@pytest.mark.parametrize("at", ["2026-11-30T10:30", "2026-11-30T09:15", "2026-11-30T03:00"])
def test_what_will_show_matches_the_resolver(app, world, at):
    client = signed_in(app, "viewer")
    page = client.get("/admin/schedule", query_string={"screen": world["screen"], "at": at}).text
    with app.app_context():
        rows = load_rows(db.session, app.config["TIMEZONE"])
        expected = resolve(rows, "hall", datetime.fromisoformat(at).replace(tzinfo=ZoneInfo(app.config["TIMEZONE"])))
    match = re.search(r'data-testid="answer" data-mode="([^"]*)" data-playlist="([^"]*)" data-source="([^"]*)"', page)
    assert match, page
    assert match.groups() == (expected.base_mode, expected.playlist or "", expected.source)
    if expected.playlist == "morning":
        assert "notice:n1" in page and "20 秒" in page
    if at.endswith("10:30"):
        assert "被覆盖的排期：新闻" in text_of_html(page)
    if expected.playlist is None:
        assert "屏幕什么也不显示" in page


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def form_data(client, **over):
    data = {"csrf_token": page_token(client, "/admin/schedule/new"), "name": "午休", "playlist": "news",
            "groups": ["hall"], "weekdays": ["1", "2", "3", "4", "5"], "start_time": "12:00",
            "end_time": "13:30", "priority": "9", "enabled": "y"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_create_edit_delete_publishes_to_screens(app, world):
    """An admin publishes schedule entries directly (services/publish_rights.py)."""
    display = socketio.test_client(app, namespace="/display", auth={"token": world["token"]})
    assert display.is_connected("/display")
    display.get_received("/display")
    client = signed_in(app, "admin")
    r = client.post("/admin/schedule/new", data=form_data(client, start_time="22:00", end_time="06:00",
                                                        takeover="y"))
    assert r.status_code == 302, text_of(r)
    received = [m for m in display.get_received("/display") if m["name"] == "state"]
    assert received, "the screen got no new state"
    with app.app_context():
        entry = db.session.query(ScheduleEntry).filter_by(name="午休").one()
        assert entry.start_time == time(22) and entry.end_time == time(6) and entry.takeover
        assert entry.weekdays == [1, 2, 3, 4, 5] and entry.groups == ["hall"]
        entry_id = entry.id
        assert db.session.query(AuditLog).filter_by(object_type="schedule_entry", action="create").count() == 1
    page = client.get("/admin/schedule", query_string={"group": "hall", "start": MONDAY.isoformat()}).text
    assert 'data-mode="takeover"' in cell(page, MONDAY, 23)
    assert 'data-mode="takeover"' in cell(page, MONDAY + timedelta(days=1), 3)  # overnight
    edit = client.get(f"/admin/schedule/{entry_id}/edit")
    assert 'value="午休"' in edit.text and 'value="22:00"' in edit.text
    r = client.post(f"/admin/schedule/{entry_id}/edit", data=form_data(client, name="午休2", takeover=None))
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(ScheduleEntry, entry_id).name == "午休2"
        assert not db.session.get(ScheduleEntry, entry_id).takeover
    r = client.post(f"/admin/schedule/{entry_id}/delete", data={"csrf_token": page_token(client, "/admin/schedule")})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(ScheduleEntry, entry_id) is None
        assert db.session.query(AuditLog).filter_by(object_type="schedule_entry", action="delete").count() == 1
    display.disconnect(namespace="/display")


def states(display) -> list:
    return [m for m in display.get_received("/display") if m["name"] == "state"]


@pytest.mark.reliability("Editor's takeover schedule entry", 'panel: new all-day takeover, then edit and delete', 'no screen changes until a reviewer approves; rejects leave screens as they were')
def test_an_editors_takeover_waits_for_a_reviewer_and_so_do_its_changes(app, world):
    display = socketio.test_client(app, namespace="/display", auth={"token": world["token"]})
    display.get_received("/display")
    editor, reviewer = signed_in(app, "editor"), signed_in(app, "reviewer")
    r = editor.post("/admin/schedule/new", data=form_data(editor, start_time="00:00", end_time="00:00",
                                                        takeover="y", weekdays=[str(d) for d in range(1, 8)]))
    assert r.status_code == 302
    assert "已提交审核" in editor.get("/admin/schedule").text
    assert states(display) == []  # no screen changed
    page = editor.get("/admin/schedule", query_string={"group": "hall", "start": MONDAY.isoformat()}).text
    assert 'data-mode="takeover"' not in cell(page, MONDAY, 10)
    with app.app_context():
        entry = db.session.query(ScheduleEntry).filter_by(name="午休").one()
        assert not entry.live and entry.pending["by"] == "editor"
        entry_id = entry.id
    # the editor cannot approve; the reviewer sees who asked and approves
    assert editor.post(f"/admin/schedule/{entry_id}/approve",
                       data={"csrf_token": page_token(editor, "/admin/schedule")}).status_code == 403
    listing = reviewer.get("/admin/schedule").text
    assert f'data-testid="pending-{entry_id}"' in listing and "editor 提交" in listing
    r = reviewer.post(f"/admin/schedule/{entry_id}/approve", data={"csrf_token": page_token(reviewer, "/admin/schedule")})
    assert r.status_code == 302
    assert states(display), "approval reaches the screens"
    page = editor.get("/admin/schedule", query_string={"group": "hall", "start": MONDAY.isoformat()}).text
    assert 'data-mode="takeover"' in cell(page, MONDAY, 10)
    # a change waits too: the entry keeps playing as approved meanwhile
    r = editor.post(f"/admin/schedule/{entry_id}/edit", data=form_data(editor, name="午休", takeover=None))
    assert r.status_code == 302
    assert states(display) == []
    with app.app_context():
        entry = db.session.get(ScheduleEntry, entry_id)
        assert entry.takeover and entry.pending["action"] == "update"
    reviewer.post(f"/admin/schedule/{entry_id}/reject", data={"csrf_token": page_token(reviewer, "/admin/schedule")})
    with app.app_context():
        entry = db.session.get(ScheduleEntry, entry_id)
        assert entry.takeover and entry.pending is None
    # and so does a deletion
    editor.post(f"/admin/schedule/{entry_id}/delete", data={"csrf_token": page_token(editor, "/admin/schedule")})
    with app.app_context():
        assert db.session.get(ScheduleEntry, entry_id).pending["action"] == "delete"
    reviewer.post(f"/admin/schedule/{entry_id}/approve", data={"csrf_token": page_token(reviewer, "/admin/schedule")})
    with app.app_context():
        assert db.session.get(ScheduleEntry, entry_id) is None
        actions = [a.action for a in db.session.query(AuditLog).filter_by(object_type="schedule_entry")
                   .order_by(AuditLog.id)]
    assert actions == ["submit", "approve", "submit", "reject", "submit", "approve"]
    assert states(display), "the deletion reaches the screens"
    display.disconnect(namespace="/display")


def test_validation_errors_next_to_fields_and_nothing_stored(app, world):
    client = signed_in(app)
    r = client.post("/admin/schedule/new", data=form_data(
        client, name="上午", playlist="nope", groups=["mars"], weekdays=None, start_time="25:00",
        end_time="", priority="x", start_date="2026-12-10", end_date="2026-12-01"))
    assert r.status_code == 400
    for field, message in [("name", "已有同名的排期"), ("playlist", "请选择播放列表"), ("groups", "分组不存在"),
                           ("weekdays", "请至少选择一天"), ("end_date", "结束日期不能早于开始日期"),
                           ("end_time", "请填写结束时间")]:
        assert f'id="{field}-error"' in r.text, field
        block = r.text.split(f'id="{field}-error"', 1)[1][:200]
        assert message in block, (field, block)
    assert 'id="start_time-error"' in r.text and 'id="priority-error"' in r.text
    with app.app_context():
        assert db.session.query(ScheduleEntry).count() == 2


def test_viewer_cannot_edit(app, world):
    client = signed_in(app, "viewer")
    page = client.get("/admin/schedule").text
    assert "新建排期" not in page
    assert client.get("/admin/schedule/new").status_code == 403
