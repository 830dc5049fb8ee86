"""Demand statistics (services/demand/stats.py) on a small hand-made set of kiosk events: the
counts, averages, "poor" (no view later in the same visit), the per-kiosk filter and the
period bounds in the hall's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Bundle, Evaluation, Guide, GuideViewCount, Screen, VisitEvent
from kiosk.services import periods
from kiosk.services.demand import stats
from kiosk.services.screens import get_or_create_group

TZ = ZoneInfo("Asia/Shanghai")
NOVEMBER = periods.month_period(2026, 11)


def at(text: str) -> datetime:
    """A UTC instant written as ``2026-11-10T02:00``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def world(demo_app):
    """Two kiosks and the events of five visits in and around November 2026 (hall time
    UTC+8), plus phone views and ratings; yields ``(app, facts)``."""
    with demo_app.app_context():
        k1 = db.session.scalar(select(Screen).where(Screen.kind == "kiosk").order_by(Screen.id))
        k2 = Screen(name="二楼自助查询机", kind="kiosk", layout="kiosk", group=get_or_create_group(db.session, "kiosks"))
        db.session.add(k2)
        db.session.flush()
        g1, g2 = db.session.scalars(select(Guide).order_by(Guide.id).limit(2)).all()
        bundle = db.session.scalar(select(Bundle).order_by(Bundle.id))

        def ev(when, kind, screen=k1, visit="", **kw):
            db.session.add(VisitEvent(at=at(when), screen_id=screen.id, visit=visit, kind=kind, **kw))

        # A (kiosk 1): searched, then opened a guide -> followed
        ev("2026-11-10T01:59", "visit_start", visit="a" * 16)
        ev("2026-11-10T02:00", "search", visit="a" * 16, search_query="sfz", results=4)
        ev("2026-11-10T02:01", "guide_view", visit="a" * 16, ref=g1.code)
        # B (kiosk 1): the same words in capitals, found results, opened nothing -> poor
        ev("2026-11-10T02:59", "visit_start", visit="b" * 16)
        ev("2026-11-10T03:00", "search", visit="b" * 16, search_query="SFZ", results=2)
        # C (kiosk 2): a view *before* the search does not follow it -> poor; nothing found -> zero
        ev("2026-11-10T03:59", "visit_start", k2, visit="c" * 16)
        ev("2026-11-10T04:00", "guide_view", k2, visit="c" * 16, ref=g1.code)
        ev("2026-11-10T04:05", "search", k2, visit="c" * 16, search_query="sfz", results=6)
        ev("2026-11-10T04:06", "search", k2, visit="c" * 16, search_query="卤菜铺子手续", results=0)
        # a page that sent no visit id: counted, but neither followed nor poor
        ev("2026-11-10T05:00", "search", search_query="sfz", results=3)
        # E (kiosk 1): the first local minute of November (UTC 31 Oct 16:00); found, not opened
        ev("2026-10-31T16:00", "search", visit="e" * 16, search_query="边界", results=2)
        ev("2026-10-31T15:59:59", "search", visit="e" * 16, search_query="边界", results=2)  # 31 Oct local
        # D (kiosk 1): the last local minute of November, opened a bundle a minute later (1 Dec)
        ev("2026-11-30T15:58", "visit_start", visit="d" * 16)
        ev("2026-11-30T15:59", "search", visit="d" * 16, search_query="月末", results=1)
        ev("2026-11-30T16:00:30", "bundle_view", visit="d" * 16, ref=bundle.code)
        ev("2026-12-01T03:00", "search", visit="f" * 16, search_query="sfz", results=0)  # December
        db.session.add_all([
            GuideViewCount(day=date(2026, 11, 10), ref=f"guide:{g1.code}", channel="phone", count=5),
            GuideViewCount(day=date(2026, 11, 1), ref=f"guide:{g2.code}", channel="phone", count=1),
            GuideViewCount(day=date(2026, 12, 1), ref=f"guide:{g1.code}", channel="phone", count=7),
        ])
        for level, screen, when in ((5, k1, "2026-11-10T02:02"), (4, k1, "2026-11-11T02:00"),
                                    (2, k1, "2026-11-12T02:00"), (1, k2, "2026-11-12T03:00"),
                                    (5, k1, "2026-10-31T15:00")):
            db.session.add(Evaluation(rated_at=at(when), channel="kiosk", screen_id=screen.id, guide_id=g1.id,
                                      level=level, contact_phone="13800138000"))
        db.session.add(Evaluation(rated_at=at("2026-11-13T02:00"), channel="kiosk", screen_id=k1.id,
                                  bundle_id=bundle.id, level=3))
        db.session.add(Evaluation(rated_at=at("2026-11-13T02:00"), channel="kiosk", screen_id=k2.id, level=5))
        db.session.commit()
        facts = {"k1": k1.id, "k2": k2.id, "g1": (g1.code, g1.name), "g2": (g2.code, g2.name),
                 "bundle": (bundle.code, bundle.name)}
    yield demo_app, facts


def by_query(d: stats.Demand) -> dict[str, stats.SearchRow]:
    return {r.query.lower(): r for r in d.top_searches}


def test_periods_are_local_days():
    assert periods.period_of("week", date(2026, 12, 2)) == periods.Period("week", date(2026, 11, 30), date(2026, 12, 6))
    assert periods.period_of("month", date(2026, 12, 31)) == periods.Period("month", date(2026, 12, 1), date(2026, 12, 31))
    assert periods.period_of("day", date(2026, 2, 28)).days == [date(2026, 2, 28)]
    assert periods.parse_month("2028-02").last == date(2028, 2, 29)
    start, end = NOVEMBER.bounds(TZ)
    assert (start, end) == (at("2026-10-31T16:00"), at("2026-11-30T16:00"))
    assert NOVEMBER.label == "2026年11月"
    for bad in ("2026-13", "2026-00", "26-11", "2026/11", "abc", ""):
        with pytest.raises(ValueError):
            periods.parse_month(bad)
    with pytest.raises(ValueError, match="不能早于"):
        periods.between(date(2026, 11, 2), date(2026, 11, 1))
    with pytest.raises(ValueError, match="366"):
        periods.between(date(2025, 1, 1), date(2026, 1, 2))


def test_search_counts_averages_and_poor(world):
    app, _ = world
    with app.app_context():
        d = stats.demand(db.session, NOVEMBER, TZ)
    rows = by_query(d)
    assert set(rows) == {"sfz", "卤菜铺子手续", "边界", "月末"}  # Oct 31 and Dec 1 left out
    sfz = rows["sfz"]
    assert sfz.query == "sfz"  # SFZ and sfz are one row, shown as typed in lower case
    assert (sfz.searches, sfz.linked, sfz.followed, sfz.zero, sfz.poor) == (4, 3, 1, 0, 2)
    assert sfz.avg_results == pytest.approx((4 + 2 + 6 + 3) / 4)
    assert sfz.follow_rate == pytest.approx(1 / 3)
    assert sfz.last_seen == at("2026-11-10T05:00")
    assert (rows["卤菜铺子手续"].zero, rows["卤菜铺子手续"].poor) == (1, 0)
    assert (rows["边界"].searches, rows["边界"].poor) == (1, 1)
    assert (rows["月末"].followed, rows["月末"].poor) == (1, 0)  # viewed after midnight, same visit
    assert [r.query for r in d.top_searches][0] == "sfz"
    assert [(r.query, r.zero, r.poor) for r in d.unmet] == [("sfz", 0, 2), ("卤菜铺子手续", 1, 0), ("边界", 0, 1)]
    s = d.summary
    assert (s.visits, s.searches, s.queries, s.zero, s.poor, s.linked, s.followed) == (4, 7, 4, 1, 3, 6, 2)
    assert s.zero_rate == pytest.approx(1 / 7)


def test_views_ratings_and_the_daily_series(world):
    app, f = world
    with app.app_context():
        d = stats.demand(db.session, NOVEMBER, TZ)
    views = {(v.kind, v.code): v for v in d.top_views}
    g1 = views[("guide", f["g1"][0])]
    assert (g1.name, g1.kiosk, g1.phone, g1.total) == (f["g1"][1], 2, 5, 7)
    assert (views[("guide", f["g2"][0])].kiosk, views[("guide", f["g2"][0])].phone) == (0, 1)
    assert ("bundle", f["bundle"][0]) not in views  # viewed on 1 December, local time
    assert d.top_views[0] is g1
    assert (d.summary.kiosk_views, d.summary.phone_views, d.summary.views) == (2, 6, 8)
    ratings = {(r.kind, r.code): r for r in d.ratings}
    r1 = ratings[("guide", f["g1"][0])]
    assert (r1.name, r1.count, r1.average, r1.good, r1.bad, r1.good_rate) == (f["g1"][1], 4, 3.0, 2, 2, 0.5)
    assert ratings[("bundle", f["bundle"][0])].good == 1
    assert ratings[("none", "")].name.startswith("未指明事项")
    assert (d.summary.ratings, d.summary.good, d.summary.bad) == (6, 4, 2)
    assert d.summary.average == pytest.approx((5 + 4 + 2 + 1 + 3 + 5) / 6)
    assert len(d.series) == 30 and d.series[0].day == date(2026, 11, 1)
    points = {p.day: p for p in d.series}
    assert (points[date(2026, 11, 10)].searches, points[date(2026, 11, 10)].zero,
            points[date(2026, 11, 10)].views) == (5, 1, 2 + 5)
    assert (points[date(2026, 11, 1)].searches, points[date(2026, 11, 1)].views) == (1, 1)
    assert points[date(2026, 11, 30)].searches == 1
    assert sum(p.searches for p in d.series) == d.summary.searches
    assert points[date(2026, 11, 2)] == stats.DayPoint(date(2026, 11, 2), 0, 0, 0)


def test_one_kiosk(world):
    app, f = world
    with app.app_context():
        d = stats.demand(db.session, NOVEMBER, TZ, screen_id=f["k1"])
    rows = by_query(d)
    assert "卤菜铺子手续" not in rows  # searched on kiosk 2
    assert (rows["sfz"].searches, rows["sfz"].followed, rows["sfz"].poor) == (3, 1, 1)
    assert d.summary.visits == 3
    [g1] = [v for v in d.top_views if v.code == f["g1"][0]]
    assert (g1.kiosk, g1.phone, g1.total) == (1, None, 1)  # phone views belong to no kiosk
    assert d.summary.phone_views is None
    r1 = next(r for r in d.ratings if r.code == f["g1"][0])
    assert (r1.count, r1.bad) == (3, 1)
    assert ("none", "") not in {(r.kind, r.code) for r in d.ratings}


def test_one_day_and_an_explicit_range(world):
    app, _ = world
    with app.app_context():
        day = stats.demand(db.session, periods.period_of("day", date(2026, 11, 1)), TZ)
        edge = stats.demand(db.session, periods.between(date(2026, 10, 31), date(2026, 12, 1)), TZ)
    assert [r.query for r in day.top_searches] == ["边界"]
    assert [(p.day, p.searches) for p in day.series] == [(date(2026, 11, 1), 1)]
    assert edge.summary.searches == 9  # the two boundary searches outside November are in
    assert edge.summary.phone_views == 13


def test_unmet_rows_carry_the_engines_current_answers(world):
    app, _ = world
    with app.app_context(), app.test_request_context():
        d = stats.demand(db.session, NOVEMBER, TZ, suggest=stats.engine_suggestions(db.session))
    unmet = {r.query: r for r in d.unmet}
    assert unmet["卤菜铺子手续"].suggestions == []
    assert unmet["sfz"].suggestions and len(unmet["sfz"].suggestions) <= 3
    assert all("身份证" in s.name for s in unmet["sfz"].suggestions)
    assert all(r.suggestions == [] for r in d.top_searches if r not in d.unmet)


def test_a_month_without_events_is_empty_not_an_error(world):
    app, _ = world
    with app.app_context():
        d = stats.demand(db.session, periods.month_period(2025, 1), TZ)
    assert d.top_searches == d.unmet == d.top_views == d.ratings == []
    assert d.summary.follow_rate is None and d.summary.good_rate is None and d.summary.average is None
    assert len(d.series) == 31 and not any(p.searches or p.views for p in d.series)


def test_the_search_query_uses_the_kind_at_index(world):
    """A month of a busy hall is tens of thousands of events: the grouped search query reads
    them through the ``(kind, at)`` index (and ``(screen_id, at)`` for one kiosk), not a scan."""
    app, f = world
    start, end = NOVEMBER.bounds(TZ)
    with app.app_context():
        for screen_id, index in ((None, "ix_visit_event_kind_at"), (f["k1"], "ix_visit_event_")):
            compiled = stats.search_statement(start, end, screen_id).compile(
                db.engine, compile_kwargs={"render_postcompile": True})
            params = [None] * len(compiled.positiontup or ())
            with db.engine.connect() as conn:
                plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", tuple(params)))
            assert index in plan, plan
            assert "SCAN visit_event " not in plan + " ", plan
