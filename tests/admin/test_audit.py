"""The audit log: search (user, object, action, days in the hall's zone), the CSV export (BOM,
Chinese, no formulas), pruning after the retention period, its setting and its nightly job."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kiosk import create_app
from kiosk.config import load_settings
from kiosk.extensions import db
from kiosk.jobs import JOBS
from kiosk.models import AuditLog
from kiosk.services import audit
from kiosk.services.audit import AuditFilter

from .conftest import login, text_of

HALL = ZoneInfo("Asia/Shanghai")
XSS = '<img src=x onerror=alert(1)><script>alert("审计")</script>'


def add(app, *, at: datetime, actor: str = "zhangsan", action: str = "update", object_type: str = "screen",
        object_id: str | None = "7", before=None, after=None) -> int:
    with app.app_context():
        row = AuditLog(at=at, actor=actor, action=action, object_type=object_type, object_id=object_id,
                       before=before, after=after)
        db.session.add(row)
        db.session.commit()
        return row.id


def ids(app, f: AuditFilter, **kw) -> list[int]:
    with app.app_context():
        return [r.id for r in audit.search(db.session, f, HALL, **kw).rows]


@pytest.fixture
def signed_in(app, staff):
    client = app.test_client()
    assert login(client, "admin").status_code == 302
    return client


# -- search ------------------------------------------------------------------------------------
def test_filters_by_user_object_type_object_and_action(app):
    t = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    a = add(app, at=t, actor="zhangsan", action="update", object_type="screen", object_id="7",
            before={"name": "一楼大屏"}, after={"name": "二楼大屏"})
    b = add(app, at=t + timedelta(minutes=1), actor="lisi", action="update", object_type="screen", object_id="17")
    c = add(app, at=t + timedelta(minutes=2), actor="zhangsan", action="create", object_type="alert",
            object_id="3", after={"text": "暴雨预警：请注意安全"})
    d = add(app, at=t + timedelta(minutes=3), actor="Zhangsan2", action="login", object_type="user", object_id="1")

    assert ids(app, AuditFilter(actor="zhangsan")) == [d, c, a]  # part of the name, any case, newest first
    assert ids(app, AuditFilter(actor="lisi")) == [b]
    assert ids(app, AuditFilter(object_type="screen")) == [b, a]
    assert ids(app, AuditFilter(action="create")) == [c]
    assert ids(app, AuditFilter(object_type="screen", object_text="7")) == [a]  # digits: that id, not 17
    assert ids(app, AuditFilter(object_text="暴雨")) == [c]  # text inside after (stored as \\u escapes)
    assert ids(app, AuditFilter(object_text="一楼")) == [a]  # text inside before
    assert ids(app, AuditFilter(object_text="100%")) == []  # LIKE wildcards are plain characters
    assert ids(app, AuditFilter(actor="zhangsan", action="update")) == [a]


def test_dates_are_whole_days_in_the_hall_time_zone(app):
    # 2026-11-28 00:00 in Shanghai is 2026-11-27 16:00 UTC
    late_27 = add(app, at=datetime(2026, 11, 27, 15, 59, 59, tzinfo=UTC), actor="edge")  # 27th 23:59:59
    early_28 = add(app, at=datetime(2026, 11, 27, 16, 0, 0, tzinfo=UTC), actor="edge")  # 28th 00:00:00
    late_28 = add(app, at=datetime(2026, 11, 28, 15, 59, 59, tzinfo=UTC), actor="edge")  # 28th 23:59:59
    next_day = add(app, at=datetime(2026, 11, 28, 16, 0, 0, tzinfo=UTC), actor="edge")  # 29th 00:00:00

    day = date(2026, 11, 28)
    assert ids(app, AuditFilter(actor="edge", date_from=day, date_to=day)) == [late_28, early_28]
    assert ids(app, AuditFilter(actor="edge", date_to=date(2026, 11, 27))) == [late_27]
    assert ids(app, AuditFilter(actor="edge", date_from=date(2026, 11, 29))) == [next_day]


def test_the_page_filters_with_the_form_and_pages_newest_first(app, signed_in):
    t = datetime(2026, 11, 1, tzinfo=UTC)
    for i in range(55):
        add(app, at=t + timedelta(minutes=i), actor="pager", object_id=f"row-{i}")
    add(app, at=t, actor="other", object_id="row-x")

    first = signed_in.get("/admin/audit?actor=pager")
    assert first.status_code == 200
    text = text_of(first)
    assert "共 55 条" in text and "row-54 " in text and "row-5 " in text
    assert "row-4 " not in text and "row-x" not in text
    assert "第 1 / 2 页" in text
    second = signed_in.get("/admin/audit?actor=pager&page=2")
    text = text_of(second)
    assert "row-4 " in text and "row-0 " in text and "row-5 " not in text and "row-54 " not in text
    assert 'href="/admin/audit?page=1&amp;actor=pager"' in second.get_data(as_text=True)  # filters kept

    days = signed_in.get("/admin/audit?actor=pager&date_from=2026-11-01&date_to=2026-11-01")
    assert "共 55 条" in text_of(days)  # 08:00–08:54 Shanghai time on the 1st
    assert "没有符合条件的记录" in text_of(signed_in.get("/admin/audit?actor=pager&date_to=2026-10-31"))


def test_the_page_shows_chinese_labels_and_a_readable_diff(app, signed_in):
    add(app, at=datetime(2026, 11, 2, tzinfo=UTC), actor="diff", action="update", object_type="screen",
        before={"name": "一楼大屏", "group": "lobby"}, after={"name": "二楼大屏", "group": "lobby"})
    r = signed_in.get("/admin/audit?actor=diff")
    html, text = r.get_data(as_text=True), text_of(r)
    assert '<td>修改<br><code class="muted">update</code></td>' in html
    assert "<td>屏幕<br>" in html
    assert '<del class="audit-old">一楼大屏</del>' in html and '<ins class="audit-new">二楼大屏</ins>' in html
    assert "另有 1 项未变" in text  # the unchanged group is counted, not listed
    assert '<span class="audit-key">名称</span>' in html
    add(app, at=datetime(2026, 11, 2, tzinfo=UTC), actor="diff2", action="content_approve", object_type="guide",
        object_id="G-1", before=None, after={"name": "居民身份证换领", "online": True,
                                              "publish_from": "2026-11-02T01:30:00+00:00"})
    text = text_of(signed_in.get("/admin/audit?actor=diff2"))
    assert "事项名称 居民身份证换领" in " ".join(text.split())  # a guide's name is its 事项名称
    assert "是否网办 是" in " ".join(text.split()) and "2026-11-02 09:30" in text  # 是/否, hall time
    assert 'href="/admin/audit?actor=diff"' in html  # the actor links to their other rows


@pytest.mark.parametrize(("args", "field", "message"), [
    ("date_from=2026-13-45", "date_from", "无法识别的日期"),
    ("date_to=yesterday", "date_to", "无法识别的日期"),
    ("date_from=2026-11-28&date_to=2026-11-01", "date_to", "结束日期不能早于开始日期"),
])
def test_a_bad_date_gets_a_message_next_to_its_field(signed_in, args, field, message):
    for path in ("/admin/audit", "/admin/audit.csv"):
        r = signed_in.get(f"{path}?{args}")
        assert r.status_code == 400
        html = r.get_data(as_text=True)
        assert f'id="{field}-error"' in html and message in html
        assert 'data-testid="audit-rows"' not in html  # no rows searched without the date


def test_a_stored_script_is_shown_as_text(app, signed_in):
    add(app, at=datetime(2026, 11, 3, tzinfo=UTC), actor=XSS[:60], object_id=XSS[:100],
        before={"text": XSS}, after={XSS: XSS})
    html = signed_in.get("/admin/audit").get_data(as_text=True)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# -- CSV ---------------------------------------------------------------------------------------
def test_csv_has_a_bom_chinese_and_no_formula_cells(app, signed_in):
    add(app, at=datetime(2026, 11, 4, 1, 2, 3, tzinfo=UTC), actor="=cmd|' /C calc'!A0", action="create",
        object_type="ticker", object_id="@SUM(1+1)",
        before=None, after={"text": '=HYPERLINK("http://evil.example","点我")', "位置": "大厅"})
    add(app, at=datetime(2026, 11, 4, 1, 2, 4, tzinfo=UTC), actor="+plus", object_id="-3", before=-1,
        after="\tsecret")

    r = signed_in.get("/admin/audit.csv?date_from=2026-11-04&date_to=2026-11-04")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    raw = r.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 Chinese only with the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "操作人", "操作", "对象类型", "对象", "变更前", "变更后"]
    newest, ticker = rows[1], rows[2]
    assert newest[1:5] == ["'+plus", "修改", "屏幕", "'-3"]
    assert newest[5:] == ["'-1", '"\\tsecret"']  # a negative number is neutralised; JSON escapes the tab
    assert ticker[0] == "2026-11-04 09:02:03"  # hall time
    assert ticker[1:5] == ["'=cmd|' /C calc'!A0", "新建", "滚动字幕", "'@SUM(1+1)"]
    assert ticker[5] == ""
    assert json.loads(ticker[6]) == {"text": '=HYPERLINK("http://evil.example","点我")', "位置": "大厅"}
    assert ticker[6].startswith("{") and "\n" not in ticker[6]  # compact, one line, Chinese as is
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(audit.FORMULA_STARTS), cell


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_start(cell):
    assert audit.neutralise(cell) == "'" + cell
    assert audit.neutralise("普通文字=1") == "普通文字=1"


def test_exporting_is_recorded_with_the_filters(app, signed_in):
    signed_in.get("/admin/audit.csv?actor=nobody&action=login").get_data()
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "audit_export"))
        assert row.actor == "admin" and row.object_type == "audit_log"
        assert row.after == {"filters": {"actor": "nobody", "action": "login"}}


# -- retention ---------------------------------------------------------------------------------
def test_prune_deletes_only_rows_older_than_the_retention_and_records_itself(app):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    old = [add(app, at=now - timedelta(days=d), actor="old") for d in (400, 365, 365.0001)]
    kept = [add(app, at=now - timedelta(days=d), actor="kept") for d in (364.999, 200, 1, 0)]
    with app.app_context():
        assert audit.prune(db.session, now, 365) == 2  # exactly 365 days old is kept
        db.session.commit()
        left = set(db.session.scalars(select(AuditLog.id).where(AuditLog.actor.in_(("old", "kept")))))
        assert left == {old[1], *kept}
        mark = db.session.scalar(select(AuditLog).where(AuditLog.action == "audit_prune"))
        assert mark.actor == "system" and mark.after["deleted"] == 2 and mark.after["days"] == 365
        assert mark.at == now


def test_prune_is_one_transaction_with_its_own_record(app):
    now = datetime(2026, 11, 28, tzinfo=UTC)
    add(app, at=now - timedelta(days=500))
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditLog))
        audit.prune(db.session, now, 365)
        db.session.rollback()  # the caller's commit did not happen: nothing changed at all
        assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "audit_prune")) is None


def test_prune_refuses_a_retention_below_180_days(app):
    with app.app_context(), pytest.raises(ValueError, match="180"):
        audit.prune(db.session, datetime.now(UTC), 179)


def test_the_job_prunes_with_the_configured_retention(app):
    app.config["AUDIT_RETENTION_DAYS"] = 200
    now = datetime.now(UTC)
    gone = add(app, at=now - timedelta(days=201))
    stays = add(app, at=now - timedelta(days=199))
    audit.prune_job(app)
    with app.app_context():
        assert db.session.get(AuditLog, gone) is None and db.session.get(AuditLog, stays) is not None
        assert db.session.scalar(select(AuditLog.after).where(AuditLog.action == "audit_prune"))["days"] == 200


def test_the_prune_job_is_declared_daily_in_hall_time():
    job = next(j for j in JOBS if j.id == "audit-prune")
    assert job.func is audit.prune_job and job.trigger == "cron" and job.args == {"hour": 3, "minute": 30}


def test_the_scheduler_fires_the_prune_job_at_half_past_three_hall_time(app):
    from kiosk.jobs import make_scheduler

    scheduler = make_scheduler(app, gevent=False)
    trigger = scheduler.get_job("audit-prune").trigger
    fire = trigger.get_next_fire_time(None, datetime(2026, 11, 28, 12, 0, tzinfo=HALL))
    assert (fire.astimezone(HALL).day, fire.astimezone(HALL).hour, fire.astimezone(HALL).minute) == (29, 3, 30)


def test_retention_defaults_to_a_year_and_refuses_less_than_180_days(monkeypatch, tmp_path):
    monkeypatch.delenv("KIOSK_AUDIT_RETENTION_DAYS", raising=False)
    assert load_settings({"DATA_DIR": str(tmp_path)})["AUDIT_RETENTION_DAYS"] == 365
    monkeypatch.setenv("KIOSK_AUDIT_RETENTION_DAYS", "180")
    assert load_settings({"DATA_DIR": str(tmp_path)})["AUDIT_RETENTION_DAYS"] == 180
    for bad in ("179", "90", "0", "-5", "一年", "365.5"):
        monkeypatch.setenv("KIOSK_AUDIT_RETENTION_DAYS", bad)
        with pytest.raises(ValueError, match="KIOSK_AUDIT_RETENTION_DAYS"):
            load_settings({"DATA_DIR": str(tmp_path)})
    monkeypatch.delenv("KIOSK_AUDIT_RETENTION_DAYS")
    with pytest.raises(ValueError, match="至少保留 180 天"):
        create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "t", "AUDIT_RETENTION_DAYS": 30})
