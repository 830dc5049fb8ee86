"""``popular:<n>`` playlist items: the ranking (window, published only, ties, fallback), the
stored order the renderer reads (offline guides drop out at once), validation in the form and
the importer, and the ``popular-guides`` job (a moved order republishes, an unchanged one not).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.jobs import JOBS
from kiosk.models import (
    AuditLog,
    Department,
    Guide,
    GuideViewCount,
    Playlist,
    PlaylistItem,
    PopularGuide,
    ScreenGroup,
    VisitEvent,
)
from kiosk.services import popular, review, review_kinds
from kiosk.services.importer import import_path
from kiosk.services.importer.errors import ImportFailure
from kiosk.services.publish import get_publisher
from kiosk.services.state import build_state

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
# code -> name; names chosen so that name order differs from code order
GUIDES = {"A": "丙 户口迁入", "B": "乙 出生登记", "C": "甲 社保卡申领", "D": "丁 居住证", "E": "戊 医保参保"}


@pytest.fixture
def hall(app):
    """Five published guides and group "g" playing playlist "p" = [popular:3 for 15 s]."""
    with app.app_context():
        dept = Department(code="d", name="公安局")
        db.session.add_all(Guide(code=c, name=n, item_type="行政确认", case_type="即办件", department=dept)
                           for c, n in GUIDES.items())
        pl = Playlist(name="p", items=[PlaylistItem(position=1, ref="popular:3", duration=15)])
        db.session.add(ScreenGroup(name="g", default_playlist=pl))
        db.session.commit()
        yield app


def views(code: str, n: int, at: datetime = NOW - timedelta(days=1)) -> None:
    db.session.add_all(VisitEvent(at=at, visit="v", kind="guide_view", ref=code) for _ in range(n))


def phone(code: str, n: int, day) -> None:
    db.session.add(GuideViewCount(day=day, ref=f"guide:{code}", channel="phone", count=n))


def codes(ranked) -> list[str]:
    return [code for code, _ in ranked]


# -- ranking ------------------------------------------------------------------------------------
def test_views_of_the_last_30_days_rank_kiosk_and_phone_together(hall):
    views("C", 2)
    views("D", 1)
    phone("D", 3, (NOW - timedelta(days=2)).date())  # D: 1 + 3 = 4
    views("E", 50, at=NOW - timedelta(days=31))  # out of the window
    phone("E", 50, (NOW - timedelta(days=40)).date())
    db.session.commit()
    ranked = popular.ranking(db.session, NOW)
    assert ranked[:2] == [("D", 4), ("C", 2)]
    assert dict(ranked)["E"] == 0


def test_only_published_guides_rank(hall):
    views("A", 9)
    views("B", 1)
    db.session.scalar(select(Guide).where(Guide.code == "A")).status = "draft"
    db.session.commit()
    assert "A" not in codes(popular.ranking(db.session, NOW))
    assert codes(popular.ranking(db.session, NOW))[0] == "B"


def test_ties_go_by_name_then_code_and_unviewed_guides_follow_in_name_order(hall):
    views("A", 2)
    views("E", 2)
    db.session.commit()
    # A 丙… and E 戊… tie on 2 views: name order (丙 before 戊); then the rest by name
    assert codes(popular.ranking(db.session, NOW)) == ["A", "E", "D", "B", "C"]
    db.session.add(Guide(code="A2", name=GUIDES["A"], item_type="x", case_type="即办件", department_id=1))
    views("A2", 2)
    db.session.commit()
    assert codes(popular.ranking(db.session, NOW))[:3] == ["A", "A2", "E"]  # same name: by code


def test_a_new_hall_without_views_gets_guides_in_name_order(hall):
    by_name = sorted(GUIDES, key=lambda c: GUIDES[c])
    assert codes(popular.ranking(db.session, NOW)) == by_name
    assert popular.codes_for(db.session, 3) == by_name[:3]  # nothing stored yet either
    assert popular.refresh(db.session, NOW)
    db.session.commit()
    assert popular.stored(db.session) == by_name


def test_a_guide_taken_offline_drops_out_of_the_item_at_once(hall):
    views("A", 3)
    views("B", 2)
    views("C", 1)
    popular.refresh(db.session, NOW)
    db.session.commit()
    assert popular.codes_for(db.session, 3) == ["A", "B", "C"]
    db.session.scalar(select(Guide).where(Guide.code == "B")).status = "draft"
    db.session.commit()
    assert popular.stored(db.session)[:3] == ["A", "B", "C"]  # the job has not run again
    assert popular.codes_for(db.session, 3) == ["A", "C", "D"]  # the next one moves up


def test_the_item_renders_each_guide_as_its_own_slide_for_the_items_duration(hall):
    views("C", 3)
    views("A", 2)
    popular.refresh(db.session, NOW)
    db.session.commit()
    state = build_state(hall, db.session, "g", "led_wall", NOW)
    items = state["timeline"][0]["items"]
    assert items == [{"id": f"guide:{c}", "duration": 15} for c in ("C", "A", "D")]
    assert state["items"]["guide:C"]["kind"] == "guide"
    assert state["items"]["guide:C"]["title"] == GUIDES["C"]


# -- validation ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("ref", "message"), [
    ("popular:0", "热门事项的数量应在 1–20 之间"),
    ("popular:21", "热门事项的数量应在 1–20 之间"),
    ("popular:05", "热门事项应写为 popular:数量"),
    ("popular:five", "热门事项应写为 popular:数量"),
    ("popular:", "热门事项应写为 popular:数量"),
])
def test_the_playlist_form_refuses_a_count_out_of_range(hall, ref, message):
    refs = review_kinds.ref_labels(db.session)
    raw = {"code": "x", "items": [{"ref": ref, "duration": "15"}]}
    _, errors = review_kinds.playlist_snapshot(raw, TZ, refs)
    assert message in errors["items.1.ref"]


def test_the_playlist_form_accepts_and_labels_popular_items(hall):
    refs = review_kinds.ref_labels(db.session)
    raw = {"code": "x", "items": [{"ref": "popular:1", "duration": "15"}, {"ref": "popular:20", "duration": "10"}]}
    snap, errors = review_kinds.playlist_snapshot(raw, TZ, refs)
    assert not errors and [i["ref"] for i in snap["items"]] == ["popular:1", "popular:20"]
    assert refs["popular:5"] == "热门事项（前 5 项）"
    changes = review.diff(None, {"code": "x", "items": [{"ref": "popular:5", "duration": 15}]}, "playlist",
                          names=review.ref_names(db.session, "playlist"))
    assert "1. 热门事项（前 5 项）（15 秒）" in next(c["after"] for c in changes if c["field"] == "items")


SCREENS = "playlists:\n  - name: pop\n    items:\n      - {{ref: \"{ref}\", duration: 15}}\n"


def test_the_importer_accepts_popular_items_and_refuses_a_bad_count(hall, tmp_path):
    folder = tmp_path / "imp"
    folder.mkdir()
    (folder / "screens.yaml").write_text(SCREENS.format(ref="popular:5"), encoding="utf-8")
    import_path(folder)
    assert [i.ref for i in db.session.scalar(select(Playlist).where(Playlist.name == "pop")).items] == ["popular:5"]
    (folder / "screens.yaml").write_text(SCREENS.format(ref="popular:50"), encoding="utf-8")
    with pytest.raises(ImportFailure) as err:
        import_path(folder)
    assert "热门事项的数量应在 1–20 之间" in str(err.value) and err.value.field == "playlists[1].items[1].ref"


# -- the job -------------------------------------------------------------------------------------
def test_the_job_is_declared_with_a_stable_id_and_its_setting(hall):
    job = next(j for j in JOBS if j.id == "popular-guides")
    assert job.trigger == "interval" and job.every_setting == "POPULAR_SECONDS"
    assert hall.config["POPULAR_SECONDS"] == 600


def test_the_job_republishes_when_the_order_moved_and_never_when_it_did_not(hall, monkeypatch):
    calls: list[object] = []
    monkeypatch.setattr(get_publisher(hall), "changed", lambda groups=None: calls.append(groups) or 0)

    def audits() -> list[AuditLog]:
        with hall.app_context():
            return list(db.session.scalars(select(AuditLog).where(AuditLog.action == "popular_refresh")))

    popular.refresh_job(hall)  # first run: the name order is stored
    assert calls == [None] and len(audits()) == 1
    popular.refresh_job(hall)  # nothing moved: no write, no republish
    assert calls == [None] and len(audits()) == 1

    with hall.app_context():
        views("E", 1, at=datetime.now(UTC) - timedelta(hours=1))
        db.session.commit()
    popular.refresh_job(hall)
    assert calls == [None, None]
    [_, moved] = audits()
    assert moved.actor == "system" and moved.object_type == "popular"
    assert moved.after["guides"][0] == "E" and moved.after["views"][0] == 1
    assert moved.before["guides"][0] != "E"

    with hall.app_context():  # more views, same order: still nothing
        views("E", 5, at=datetime.now(UTC) - timedelta(hours=1))
        db.session.commit()
    popular.refresh_job(hall)
    assert calls == [None, None] and len(audits()) == 2
    with hall.app_context():
        assert db.session.scalar(select(PopularGuide.code).where(PopularGuide.position == 1)) == "E"


def test_a_moved_ranking_reaches_the_screen_state(hall):
    """The audit row moves the content stamp: the publisher's cached body is rebuilt."""
    publisher = get_publisher(hall)
    popular.refresh_job(hall)
    with hall.app_context():
        before = publisher.state_for("g", "led_wall")
        views("E", 3, at=datetime.now(UTC) - timedelta(hours=1))
        db.session.commit()
    popular.refresh_job(hall)
    with hall.app_context():
        after = publisher.state_for("g", "led_wall")
    assert before["timeline"][0]["items"][0]["id"] != "guide:E"
    assert after["timeline"][0]["items"][0]["id"] == "guide:E"
    assert after["version"] != before["version"]
