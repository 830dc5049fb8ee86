"""需求分析 in the staff panel: the page shows what kiosks recorded, an unmet search becomes a
guide alias through review, the monthly report (page and xlsx), access and bad input."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import AuditLog, ContentVersion, Evaluation, Guide, Screen, VisitEvent
from kiosk.services import review
from kiosk.services.demand import mapping
from kiosk.services.review_apply import snapshot_of
from kiosk.services.review_validate import to_json
from kiosk.services.search import search_guides

from ..touch.kiosk_util import VISIT, kiosk_token, set_status, url
from .conftest import client_as, csrf_from, text_of

FOOD = "食品经营许可（新办）"
PHRASE = "开个小饭馆证"  # plausible, and the engine does not find 食品经营许可 by it
NOTHING = "卤菜铺子手续"  # finds nothing at all
PHONE = "13912345678"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tz(app) -> ZoneInfo:
    return ZoneInfo(app.config["TIMEZONE"])


def post_visit(app, events: list[dict]) -> None:
    r = app.test_client().post(url(kiosk_token(app), "events"), json={"visit": VISIT, "events": events})
    assert r.status_code == 204, r.get_data(as_text=True)


def local_day_of_last_event(app) -> str:
    with app.app_context():
        last = db.session.scalar(select(VisitEvent.at).order_by(VisitEvent.id.desc()))
    return last.astimezone(tz(app)).date().isoformat()


def top_names(app, query: str, n: int = 3) -> list[str]:
    with app.app_context(), app.test_request_context():
        return [h.name for h in search_guides(query, limit=n)]


def food_code(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Guide.code).where(Guide.name == FOOD))


# -- the page shows what a kiosk recorded ---------------------------------------------------------
def test_the_demand_page_shows_a_zero_result_search_recorded_by_a_kiosk_visit(demo_app, demo_staff):
    post_visit(demo_app, [{"kind": "visit_start"}, {"kind": "page_view", "page": "home"},
                          {"kind": "search", "query": NOTHING, "results": 0},
                          {"kind": "visit_end", "reason": "idle"}])
    viewer = client_as(demo_app, "viewer")
    r = viewer.get(f"/admin/demand?period=day&date={local_day_of_last_event(demo_app)}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    unmet = html[html.index('data-testid="unmet-searches"'):]
    unmet = unmet[:unmet.index("</table>")]
    assert f'data-query="{NOTHING}"' in unmet
    row = re.search(rf'<tr data-query="{NOTHING}">(.*?)</tr>', unmet, re.S).group(1)
    assert "仍无结果" in row  # the engine still finds nothing for it
    assert "关联到事项" not in html  # viewers do not map
    assert 'data-testid="sum-zero">1<' in html and 'data-testid="sum-searches">1<' in html
    assert 'href="/admin/demand"' in html and "需求分析" in html  # the nav item
    assert "<svg" in html and "每日搜索次数" in html  # the server-rendered charts
    # an editor gets the 关联到事项 action on that row
    editor = client_as(demo_app, "editor")
    html = editor.get(f"/admin/demand?period=day&date={local_day_of_last_event(demo_app)}").get_data(as_text=True)
    assert f'href="/admin/demand/map?q={NOTHING}"' in html or "/admin/demand/map?q=%E5%8D%A4" in html


def test_the_kiosk_filter(demo_app, demo_staff):
    post_visit(demo_app, [{"kind": "search", "query": NOTHING, "results": 0}])
    day = local_day_of_last_event(demo_app)
    with demo_app.app_context():
        kiosk_id = db.session.scalar(select(Screen.id).where(Screen.kind == "kiosk"))
        other = Screen(name="二楼自助查询机", kind="kiosk", layout="kiosk",
                       group_id=db.session.get(Screen, kiosk_id).group_id)
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    client = client_as(demo_app, "viewer")
    assert f'data-query="{NOTHING}"' in client.get(f"/admin/demand?period=day&date={day}&screen={kiosk_id}").text
    html = client.get(f"/admin/demand?period=day&date={day}&screen={other_id}").text
    assert f'data-query="{NOTHING}"' not in html and "二楼自助查询机" in html


# -- an unmet search becomes an alias, through review ----------------------------------------------
def test_an_alias_added_from_an_unmet_search_finds_the_guide_after_review_and_not_before(demo_app, demo_staff):
    assert FOOD not in top_names(demo_app, PHRASE), "pick a phrase the engine does not answer yet"
    post_visit(demo_app, [{"kind": "search", "query": PHRASE, "results": 2}, {"kind": "visit_end", "reason": "home"}])
    code = food_code(demo_app)
    editor = client_as(demo_app, "editor")
    page = editor.get("/admin/demand/map", query_string={"q": PHRASE, "name": "食品经营"})
    assert page.status_code == 200
    assert f'value="{code}"' in page.text and PHRASE in page.text
    r = editor.post("/admin/demand/map", data={"csrf_token": csrf_from(page.text), "q": PHRASE, "guide": code})
    assert r.status_code == 302
    done = editor.get(r.location)
    assert "已提交审核" in text_of(done) and "待审核" in text_of(done)
    with demo_app.app_context():
        v = db.session.scalar(select(ContentVersion).where(ContentVersion.object_key == code,
                                                           ContentVersion.state == "submitted"))
        assert v.author == "editor" and PHRASE in v.data["aliases"]
        assert PHRASE not in db.session.scalar(select(Guide).where(Guide.code == code)).aliases
        actions = list(db.session.scalars(select(AuditLog.action).where(AuditLog.object_id == code)
                                          .order_by(AuditLog.id)))
        assert actions[-2:] == ["content_draft", "content_submit"]
        version_id = v.id
    assert FOOD not in top_names(demo_app, PHRASE)  # not before review
    reviewer = client_as(demo_app, "reviewer")
    queue = reviewer.get("/admin/review")
    assert PHRASE in queue.text  # the reviewer sees the alias in the diff
    r = reviewer.post(f"/admin/review/{version_id}/approve", data={"csrf_token": csrf_from(queue.text)})
    assert r.status_code == 302
    with demo_app.app_context():
        assert db.session.get(ContentVersion, version_id).state == "published"
    assert top_names(demo_app, PHRASE, 1) == [FOOD]  # and first after it


def test_mapping_uses_the_authors_open_draft(demo_app, demo_staff):
    code = food_code(demo_app)
    now = datetime.now(UTC)
    with demo_app.app_context(), demo_app.test_request_context():
        guide = db.session.scalar(select(Guide).where(Guide.code == code))
        data = to_json(snapshot_of(guide, "guide"))
        data["window"] = "B区 9号窗口"
        draft = review.save_draft(db.session, "guide", data, "editor", now)
        db.session.commit()
        v = mapping.map_search_to_guide(db.session, PHRASE, code, "editor", now)
        db.session.commit()
        assert v.id == draft.id and v.state == "submitted"
        assert v.data["window"] == "B区 9号窗口" and v.data["aliases"][-1] == PHRASE
        with pytest.raises(mapping.MappingError, match="待审核"):  # no second version for the same words
            mapping.map_search_to_guide(db.session, PHRASE.upper(), code, "reviewer", now)


@pytest.mark.parametrize("query, guide, message", [
    ("", "food", "搜索词为空"),
    ("办" * 41, "food", "最多 40 个字"),
    ("小饭馆、小吃店", "food", "顿号"),
    ("我的证件号######", "food", "隐去"),
    (PHRASE, "", "请选择一个已发布的办事指南"),
    (PHRASE, "expired", "未发布"),
    ("existing", "food", "已经是"),
])
def test_mapping_refusals_are_shown_next_to_their_field(demo_app, demo_staff, query, guide, message):
    code = food_code(demo_app)
    if query == "existing":
        with demo_app.app_context():
            db.session.scalar(select(Guide).where(Guide.code == code)).aliases = ["小饭馆证AB"]
            db.session.commit()
        query = "小饭馆证ab"  # the same alias, compared as the search compares words
    if guide == "expired":
        set_status(demo_app, Guide, code, "expired")
    editor = client_as(demo_app, "editor")
    token = csrf_from(editor.get("/admin/demand/map?q=x").text)
    r = editor.post("/admin/demand/map", data={"csrf_token": token, "q": query, "guide": code if guide else ""})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    where = "q-error" if "搜索词" in message or message in ("最多 40 个字", "顿号", "隐去") else "guide-error"
    assert message in html[html.index(f'id="{where}"'):][:400], html
    with demo_app.app_context():
        assert db.session.scalar(select(ContentVersion).where(ContentVersion.object_key == code)) is None


def test_viewers_cannot_map_and_csrf_is_required(demo_app, demo_staff):
    code = food_code(demo_app)
    viewer = client_as(demo_app, "viewer")
    assert viewer.get(f"/admin/demand/map?q={PHRASE}").status_code == 403
    token = csrf_from(viewer.get("/admin/account").text)
    r = viewer.post("/admin/demand/map", data={"csrf_token": token, "q": PHRASE, "guide": code})
    assert r.status_code == 403 and "无权访问" in r.get_data(as_text=True)
    editor = client_as(demo_app, "editor")
    r = editor.post("/admin/demand/map", data={"q": PHRASE, "guide": code})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)
    with demo_app.app_context():
        assert db.session.scalar(select(ContentVersion).where(ContentVersion.object_key == code)) is None


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("path, field, message", [
    ("/admin/demand?period=day&date=2026-02-30", "date", "无法识别的日期"),
    ("/admin/demand?period=week&date=yesterday", "date", "无法识别的日期"),
    ("/admin/demand?period=year", "period", "请选择日、周、月或自定义"),
    ("/admin/demand?period=range&date_from=2026-11-05&date_to=2026-11-01", "date_to", "不能早于开始日期"),
    ("/admin/demand?period=range&date_from=2026-11-05", "date_to", "请填写结束日期"),
    ("/admin/demand?screen=999999", "screen", "没有这台自助查询机"),
    ("/admin/demand?screen=abc", "screen", "没有这台自助查询机"),
    ("/admin/demand/report?month=2026-13", "month", "没有这个月份"),
    ("/admin/demand/report?month=november", "month", "无法识别的月份"),
    ("/admin/demand/report.xlsx?month=2026-13", "month", "没有这个月份"),
    ("/admin/demand/map?q=" + "词" * 101, "q", "最多 100 个字符"),
])
def test_bad_input_gets_a_message_next_to_its_field(demo_app, demo_staff, path, field, message):
    r = client_as(demo_app, "editor").get(path)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert message in html[html.index(f'id="{field}-error"'):][:300]
    assert 'data-testid="demand-summary"' not in html  # no figures for a refused filter


# -- the monthly report -------------------------------------------------------------------------
@pytest.fixture
def november(demo_app):
    """A few events and ratings in November 2026 (one rating with a call-back number)."""
    with demo_app.app_context():
        kiosk = db.session.scalar(select(Screen).where(Screen.kind == "kiosk"))
        guide = db.session.scalar(select(Guide).where(Guide.name == FOOD))
        t = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
        db.session.add_all([
            VisitEvent(at=t, screen_id=kiosk.id, visit="v1", kind="visit_start"),
            VisitEvent(at=t, screen_id=kiosk.id, visit="v1", kind="search", search_query="食品证", results=3),
            VisitEvent(at=t, screen_id=kiosk.id, visit="v1", kind="guide_view", ref=guide.code),
            VisitEvent(at=t, screen_id=kiosk.id, visit="v2", kind="search", search_query=NOTHING, results=0),
            VisitEvent(at=t, screen_id=kiosk.id, visit="v2", kind="search", search_query="=HYPERLINK(1)", results=0),
            Evaluation(rated_at=t, channel="kiosk", screen_id=kiosk.id, guide_id=guide.id, level=1,
                       reasons=["等待时间长"], contact_phone=PHONE),
            Evaluation(rated_at=t, channel="kiosk", screen_id=kiosk.id, guide_id=guide.id, level=5),
        ])
        db.session.commit()
    return demo_app


def test_the_printable_monthly_report(november, demo_staff):
    r = client_as(november, "viewer").get("/admin/demand/report?month=2026-11")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    text = text_of(r)
    assert november.config["HALL_NAME"] in text and "2026年11月" in text and "生成时间" in text
    assert 'class="sidenav"' not in html and "退出登录" not in html  # no navigation
    assert "admin/demand.css" in html  # the print stylesheet (@media print)
    assert NOTHING in text and "食品证" in text and FOOD in text
    assert 'data-testid="sum-ratings">2<' in html and "50%" in text
    assert PHONE not in html and "等待时间长" not in html
    assert "关联到事项" not in html


def test_the_xlsx_report(november, demo_staff):
    client = client_as(november, "viewer")
    r = client.get("/admin/demand/report.xlsx?month=2026-11")
    assert r.status_code == 200 and r.mimetype == XLSX
    assert "attachment" in r.headers["Content-Disposition"]
    wb = load_workbook(BytesIO(r.data))
    assert wb.sheetnames == ["概览", "热门搜索", "未满足的搜索", "热门事项", "评价"]
    overview = {row[0]: row[1] for row in wb["概览"].iter_rows(min_row=2, max_col=2, values_only=True) if row[0]}
    assert overview["服务大厅"] == november.config["HALL_NAME"]
    assert overview["统计期间"] == "2026年11月"
    assert overview["搜索次数"] == 3 and overview["无结果的搜索"] == 2 and overview["评价数"] == 2
    assert overview["好评率"] == "50.0%"
    assert [c.value for c in wb["热门搜索"][1]] == ["排名", "搜索词", "搜索次数", "平均结果数", "点开事项的比例", "最近一次"]
    unmet = [row for row in wb["未满足的搜索"].iter_rows(min_row=2, values_only=True)]
    assert {row[0] for row in unmet} == {NOTHING, "=HYPERLINK(1)"}
    formula = next(c for c in wb["未满足的搜索"]["A"] if c.value == "=HYPERLINK(1)")
    assert formula.data_type == "s"  # what a citizen typed is never a formula
    views = list(wb["热门事项"].iter_rows(min_row=2, values_only=True))
    assert views[0][2] == FOOD and views[0][4] == 1
    ratings = list(wb["评价"].iter_rows(min_row=2, values_only=True))
    assert ratings[0][1] == FOOD and ratings[0][3] == 2 and ratings[0][6] == 1
    everything = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    assert PHONE not in everything and "等待时间长" not in everything
    with november.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.action == "demand_export"))
        assert row.actor == "viewer" and row.object_id == "2026-11" and row.after["format"] == "xlsx"


def test_the_report_defaults_to_the_last_complete_month(demo_app, demo_staff):
    r = client_as(demo_app, "viewer").get("/admin/demand/report")
    assert r.status_code == 200
    assert re.search(r'name="month" type="month" value="\d{4}-\d{2}"', r.get_data(as_text=True))
