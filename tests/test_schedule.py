"""Schedule resolution: a pure function of rows and time (no database, no clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.services.schedule import (
    EPOCH,
    AlertRow,
    EntryRow,
    ScheduleRows,
    boundaries,
    next_boundary,
    resolve,
    timeline,
)

SH = ZoneInfo("Asia/Shanghai")


def at(y, mo, d, h=0, mi=0, s=0, tz=SH) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=tz)


def rows(*entries, alerts=(), defaults=None, tz="Asia/Shanghai") -> ScheduleRows:
    return ScheduleRows(tuple(entries), tuple(alerts), {"lobby": "default-pl", "windows": "default-pl"} if defaults is None else defaults, tz)


MORNING = EntryRow("morning", "morning-pl", start_time=time(9), end_time=time(12))
# 2026-11-30 is a Monday.


def test_empty_schedule_falls_back_to_default_playlist():
    r = resolve(rows(), "lobby", at(2026, 11, 30, 10))
    assert (r.mode, r.playlist, r.source) == ("default", "default-pl", "default")


def test_group_without_default_and_schedule_is_empty_not_an_error():
    r = resolve(rows(defaults={}), "lobby", at(2026, 11, 30, 10))
    assert (r.mode, r.playlist) == ("empty", None)


def test_window_start_is_inclusive_and_end_exclusive():
    rs = rows(MORNING)
    assert resolve(rs, "lobby", at(2026, 11, 30, 8, 59, 59)).playlist == "default-pl"
    assert resolve(rs, "lobby", at(2026, 11, 30, 9, 0, 0)).playlist == "morning-pl"
    assert resolve(rs, "lobby", at(2026, 11, 30, 11, 59, 59)).playlist == "morning-pl"
    assert resolve(rs, "lobby", at(2026, 11, 30, 12, 0, 0)).playlist == "default-pl"


def test_overnight_window_belongs_to_the_day_it_starts():
    night = EntryRow("closed", "closed-pl", weekdays=frozenset({5}), start_time=time(21), end_time=time(8))
    rs = rows(night)
    # Friday 2026-12-04 21:00 until Saturday 08:00
    assert resolve(rs, "lobby", at(2026, 12, 4, 20, 59, 59)).playlist == "default-pl"
    assert resolve(rs, "lobby", at(2026, 12, 4, 21)).playlist == "closed-pl"
    assert resolve(rs, "lobby", at(2026, 12, 5, 0, 0)).playlist == "closed-pl"
    assert resolve(rs, "lobby", at(2026, 12, 5, 7, 59, 59)).playlist == "closed-pl"
    assert resolve(rs, "lobby", at(2026, 12, 5, 8)).playlist == "default-pl"
    # Saturday night is not Friday: no window starts then
    assert resolve(rs, "lobby", at(2026, 12, 5, 22)).playlist == "default-pl"
    # Friday early morning belongs to Thursday's (absent) window
    assert resolve(rs, "lobby", at(2026, 12, 4, 3)).playlist == "default-pl"


def test_equal_start_and_end_means_all_day():
    allday = EntryRow("holiday", "holiday-pl", start_date=date(2026, 12, 1), end_date=date(2026, 12, 1))
    rs = rows(allday)
    assert resolve(rs, "lobby", at(2026, 11, 30, 23, 59, 59)).playlist == "default-pl"
    assert resolve(rs, "lobby", at(2026, 12, 1, 0, 0)).playlist == "holiday-pl"
    assert resolve(rs, "lobby", at(2026, 12, 1, 23, 59, 59)).playlist == "holiday-pl"
    assert resolve(rs, "lobby", at(2026, 12, 2, 0, 0)).playlist == "default-pl"


def test_weekday_edges():
    weekdays = EntryRow("weekday", "wk-pl", weekdays=frozenset({1, 2, 3, 4, 5}), start_time=time(9), end_time=time(17))
    rs = rows(weekdays)
    assert resolve(rs, "lobby", at(2026, 12, 4, 10)).playlist == "wk-pl"  # Friday
    assert resolve(rs, "lobby", at(2026, 12, 5, 10)).playlist == "default-pl"  # Saturday
    assert resolve(rs, "lobby", at(2026, 12, 6, 10)).playlist == "default-pl"  # Sunday
    assert resolve(rs, "lobby", at(2026, 12, 7, 10)).playlist == "wk-pl"  # Monday


def test_date_range_is_inclusive_on_both_ends():
    ranged = EntryRow("campaign", "c-pl", start_date=date(2026, 12, 1), end_date=date(2026, 12, 3),
                      start_time=time(9), end_time=time(17))
    rs = rows(ranged)
    assert resolve(rs, "lobby", at(2026, 11, 30, 10)).playlist == "default-pl"
    assert resolve(rs, "lobby", at(2026, 12, 1, 10)).playlist == "c-pl"
    assert resolve(rs, "lobby", at(2026, 12, 3, 16, 59)).playlist == "c-pl"
    assert resolve(rs, "lobby", at(2026, 12, 4, 10)).playlist == "default-pl"


def test_overnight_window_on_last_day_of_range_runs_past_the_range():
    ranged = EntryRow("n", "n-pl", end_date=date(2026, 12, 3), start_time=time(22), end_time=time(6))
    rs = rows(ranged)
    assert resolve(rs, "lobby", at(2026, 12, 4, 5)).playlist == "n-pl"
    assert resolve(rs, "lobby", at(2026, 12, 4, 23)).playlist == "default-pl"


def test_higher_priority_wins_and_ties_are_deterministic():
    a = EntryRow("b-entry", "b-pl", priority=5, start_time=time(9), end_time=time(17))
    b = EntryRow("a-entry", "a-pl", priority=5, start_time=time(9), end_time=time(17))
    c = EntryRow("low", "low-pl", priority=1, start_time=time(9), end_time=time(17))
    now = at(2026, 11, 30, 10)
    for order in ((a, b, c), (c, b, a), (b, c, a)):
        assert resolve(rows(*order), "lobby", now).playlist == "a-pl"  # name sorts first
    targeted = EntryRow("z-lobby-only", "t-pl", priority=5, groups=frozenset({"lobby"}),
                        start_time=time(9), end_time=time(17))
    assert resolve(rows(a, b, targeted), "lobby", now).playlist == "t-pl"  # named group beats all
    high = EntryRow("zz", "high-pl", priority=9, start_time=time(9), end_time=time(17))
    assert resolve(rows(a, b, c, high), "lobby", now).playlist == "high-pl"


def test_entries_for_other_groups_and_disabled_entries_do_not_apply():
    other = EntryRow("other", "o-pl", groups=frozenset({"windows"}), start_time=time(9), end_time=time(17))
    off = EntryRow("off", "off-pl", enabled=False, start_time=time(9), end_time=time(17))
    r = resolve(rows(other, off), "lobby", at(2026, 11, 30, 10))
    assert r.playlist == "default-pl"


def test_takeover_beats_any_priority_and_alert_beats_takeover():
    sched = EntryRow("busy", "busy-pl", priority=1000, start_time=time(0), end_time=time(0))
    closed = EntryRow("closed", "closed-pl", priority=0, takeover=True, start_time=time(0), end_time=time(0))
    now = at(2026, 11, 30, 10)
    r = resolve(rows(sched, closed), "lobby", now)
    assert (r.mode, r.playlist) == ("takeover", "closed-pl")
    alert = AlertRow(1, "停电", "critical", starts_at=now - timedelta(minutes=1))
    r = resolve(rows(sched, closed, alerts=[alert]), "lobby", now)
    assert r.mode == "alert" and r.alerts == (alert,)
    assert r.playlist == "closed-pl" and r.base_mode == "takeover"  # still plays underneath


def test_alert_targets_groups_and_expires():
    now = at(2026, 11, 30, 10)
    alert = AlertRow(1, "x", "warning", groups=frozenset({"windows"}), starts_at=now,
                     expires_at=now + timedelta(minutes=5))
    rs = rows(alerts=[alert])
    assert resolve(rs, "lobby", now).mode == "default"
    assert resolve(rs, "windows", now).mode == "alert"
    assert resolve(rs, "windows", now + timedelta(minutes=5) - timedelta(seconds=1)).mode == "alert"
    assert resolve(rs, "windows", now + timedelta(minutes=5)).mode == "default"
    cancelled = AlertRow(2, "y", "info", starts_at=now, cancelled_at=now + timedelta(seconds=1))
    assert resolve(rows(alerts=[cancelled]), "lobby", now + timedelta(seconds=2)).mode == "default"


def test_local_time_zone_not_utc_decides():
    rs = rows(MORNING)
    # 01:30 UTC is 09:30 in Shanghai
    assert resolve(rs, "lobby", datetime(2026, 11, 30, 1, 30, tzinfo=UTC)).playlist == "morning-pl"
    assert resolve(rs, "lobby", datetime(2026, 11, 30, 9, 30, tzinfo=UTC)).playlist == "default-pl"
    # the same rows in another hall's zone
    utc_rows = rows(MORNING, tz="UTC")
    assert resolve(utc_rows, "lobby", datetime(2026, 11, 30, 9, 30, tzinfo=UTC)).playlist == "morning-pl"


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        resolve(rows(), "lobby", datetime(2026, 11, 30, 10))


def test_boundaries_are_the_window_edges_in_utc():
    b = boundaries(rows(MORNING), at(2026, 11, 30, 8), at(2026, 11, 30, 13))
    assert at(2026, 11, 30, 9) in b and at(2026, 11, 30, 12) in b
    assert next_boundary(rows(MORNING), at(2026, 11, 30, 10)) == at(2026, 11, 30, 12)


def test_timeline_is_back_to_back_and_stable_between_changes():
    lunch = EntryRow("lunch", "lunch-pl", start_time=time(12), end_time=time(13, 30))
    rs = rows(MORNING, lunch)
    now = at(2026, 11, 30, 10, 15)
    segs = timeline(rs, "lobby", now)
    assert segs[0].start == at(2026, 11, 30, 9) and segs[0].resolution.playlist == "morning-pl"
    for prev, nxt in zip(segs, segs[1:], strict=False):
        assert prev.end == nxt.start
    playlists = [s.resolution.playlist for s in segs[:4]]
    assert playlists == ["morning-pl", "lunch-pl", "default-pl", "morning-pl"]
    assert segs[-1].start >= now + timedelta(hours=24) - timedelta(hours=24)  # covers 24 h
    assert segs[-1].end is None or segs[-1].end >= now + timedelta(hours=24)
    # identical 10 minutes later: the state version does not churn
    later = timeline(rs, "lobby", now + timedelta(minutes=10))
    assert [(s.start, s.end, s.resolution.playlist) for s in later] == [
        (s.start, s.end, s.resolution.playlist) for s in segs
    ]


def test_timeline_of_a_never_changing_group_starts_at_epoch():
    segs = timeline(rows(), "lobby", at(2026, 11, 30, 10))
    assert len(segs) == 1 and segs[0].start == EPOCH and segs[0].end is None


def test_alert_does_not_split_the_rotation():
    now = at(2026, 11, 30, 10)
    alert = AlertRow(1, "x", "info", starts_at=now - timedelta(minutes=1), expires_at=now + timedelta(minutes=1))
    with_alert = timeline(rows(MORNING, alerts=[alert]), "lobby", now)
    without = timeline(rows(MORNING), "lobby", now)
    assert with_alert[0].start == without[0].start == at(2026, 11, 30, 9)
