"""The server's wall clock jumps (issue 10, §6): an NTP step of an hour, a day back or forward.

Tried with injected clocks, never the machine's: the wall and monotonic clocks of
:class:`ClockWatch`, ``accounts.current_time``, the ``now`` of the services, the publisher's
``utcnow`` and APScheduler's own ``datetime.now``. What must happen (services/clock.py):
screens show what the new wall time says should play, at once; no session, login pause or
kiosk rating window lasts longer because the clock went back; jobs run once after a jump
(never a burst of missed runs) and do not fall silent after a jump back.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)
from sqlalchemy import select

from kiosk import create_app
from kiosk.extensions import db, socketio
from kiosk.models import Screen
from kiosk.services import accounts
from kiosk.services.clock import ClockWatch
from kiosk.services.publish import get_publisher
from kiosk.services.touch import ratings

from ..admin.conftest import PASSWORD, login, make_user
from ..waiting import wait_until

HALL = ZoneInfo("Asia/Shanghai")
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


class Clock:
    """One movable wall clock for everything the test points at it."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def jump(self, delta: timedelta) -> None:
        self.now += delta


def hall_time(day: str, hm: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=HALL).astimezone(UTC)


# -- finding a jump ------------------------------------------------------------------------------
@pytest.mark.reliability("Server clock jump: detection", "ClockWatch with injected wall/monotonic clocks: NTP slewing of "
                         "0.5 s per check for 200 checks, then steps of +1 h and −1 day",
                         "slewing is never a jump; each step is found once with its size and sign")
def test_the_watch_finds_steps_of_the_wall_clock_and_ignores_slewing():
    clocks = {"wall": 1_800_000_000.0, "mono": 1000.0}
    watch = ClockWatch(wall=lambda: clocks["wall"], mono=lambda: clocks["mono"])

    def tick(seconds: float, wall_extra: float = 0.0) -> float:
        clocks["mono"] += seconds
        clocks["wall"] += seconds + wall_extra
        return watch.check()

    assert [tick(5, 0.5) for _ in range(200)] == [0.0] * 200  # 100 s of drift, absorbed check by check
    assert tick(5, 3600) == pytest.approx(3600)
    assert tick(5) == 0.0  # found once, not again at every check
    assert tick(5, -86400) == pytest.approx(-86400)
    assert tick(5) == 0.0


# -- what plays ----------------------------------------------------------------------------------
@pytest.mark.reliability("Server clock jump: the schedule", "a lobby wall at 18:00 (evening playlist), the clock set "
                         "back to 17:00, then the watch's reaction", "the day playlist at once (no state cached for 18:00 "
                         "is reused), and every screen gets its state again with the new server_time")
def test_after_a_jump_back_screens_show_what_the_new_time_says(demo_app, monkeypatch):
    clock = Clock(hall_time("2026-03-04", "18:00"))  # a Wednesday: lobby-evening 17:30–21:00
    monkeypatch.setattr("kiosk.services.publish.utcnow", clock)
    monkeypatch.setattr("kiosk.models.utcnow", clock)
    publisher = get_publisher(demo_app)
    with demo_app.app_context():
        evening = publisher.state_for("lobby", "led_wall")
        assert evening["timeline"][0]["playlist"] == "lobby-evening"
        default = db.session.scalar(select(Screen).where(Screen.name == "大厅主屏")).group.default_playlist.name
        wall_token = db.session.scalar(select(Screen.token).where(Screen.name == "大厅主屏"))
    screen = socketio.test_client(demo_app, namespace="/display", auth={"token": wall_token})
    screen.get_received("/display")  # the state on connect

    clock.jump(-HOUR)  # an NTP step: the clock was an hour fast
    with demo_app.app_context():
        now_state = publisher.state_for("lobby", "led_wall")
        assert now_state["timeline"][0]["playlist"] == default != "lobby-evening"
    from kiosk.jobs import clock_jumped

    clock_jumped(demo_app, None, -3600.0)
    sent = [m["args"][0] for m in screen.get_received("/display") if m["name"] == "state"]
    assert sent, "no state after the jump"
    assert sent[-1]["timeline"][0]["playlist"] == default
    assert datetime.fromisoformat(sent[-1]["server_time"]) == clock.now
    screen.disconnect(namespace="/display")


# -- lifetimes ----------------------------------------------------------------------------------
@pytest.fixture
def accounts_clock(monkeypatch):
    clock = Clock(datetime.now(UTC))
    monkeypatch.setattr(accounts, "current_time", clock)
    return clock


@pytest.mark.reliability("Server clock jump: panel sessions", "sign in, then the clock set back by 1 day (and by 30 s)",
                         "after a day back the session has ended (sign in again works); 30 s back changes nothing")
def test_a_jump_back_never_lengthens_a_panel_session(app, accounts_clock):
    make_user(app, "zhang", "editor")
    client = app.test_client()
    assert login(client, "zhang").status_code == 302
    assert client.get("/admin/").status_code == 200
    accounts_clock.jump(-timedelta(seconds=30))  # jitter between processes
    assert client.get("/admin/").status_code == 200
    accounts_clock.jump(-DAY)  # the session now seems to start tomorrow: its age is unknown
    assert client.get("/admin/").status_code == 302
    assert login(client, "zhang").status_code == 302 and client.get("/admin/").status_code == 200
    accounts_clock.jump(11 * HOUR)  # a forward jump can only end it sooner, never later
    assert client.get("/admin/").status_code == 302


@pytest.mark.reliability("Server clock jump: login pause", "5 wrong passwords (1 min pause), then the clock set back by 1 day",
                         "the pause is over (no pause outlasts 15 min); new mistakes pause again")
def test_a_jump_back_does_not_stretch_a_login_pause_to_a_day(app):
    make_user(app, "zhang", "editor")
    start = datetime.now(UTC)
    with app.app_context():
        for _ in range(5):
            result = accounts.attempt_login(db.session, "zhang", "wrong-password", now=start, ip="10.0.0.9")
        db.session.commit()
        assert result.outcome == "locked"
        assert accounts.attempt_login(db.session, "zhang", PASSWORD, now=start, ip="10.0.0.9").outcome == "locked"
        back = start - DAY
        assert accounts.attempt_login(db.session, "zhang", PASSWORD, now=back, ip="10.0.0.9").outcome == "ok"
        for _ in range(5):
            result = accounts.attempt_login(db.session, "zhang", "wrong-password", now=back, ip="10.0.0.9")
        assert result.outcome == "locked" and result.locked_until - back <= timedelta(minutes=1)
        db.session.rollback()


@pytest.mark.reliability("Server clock jump: kiosk rating window", "6 ratings (the limit for 5 min), then the clock set back by 1 h",
                         "a rating is accepted again, not refused for an hour; the limit still holds at the new time")
def test_a_jump_back_does_not_hold_a_kiosks_rating_window_shut(demo_app):
    start = datetime.now(UTC)
    with demo_app.app_context():
        kiosk = db.session.scalar(select(Screen).where(Screen.kind == "kiosk"))
        for _ in range(ratings.DEFAULT_LIMIT):
            ratings.record_rating(db.session, kiosk, {"level": 5}, start)
        with pytest.raises(ratings.RateLimited):
            ratings.record_rating(db.session, kiosk, {"level": 5}, start)
        back = start - HOUR
        for _ in range(ratings.DEFAULT_LIMIT):
            ratings.record_rating(db.session, kiosk, {"level": 4}, back)
        with pytest.raises(ratings.RateLimited) as refused:
            ratings.record_rating(db.session, kiosk, {"level": 4}, back)
        assert refused.value.retry_after <= ratings.DEFAULT_WINDOW_SECONDS
        db.session.rollback()


@pytest.mark.reliability("Server clock jump: per-client rate limits", "search limited to 3/minute and used up, then the "
                         "watch's reaction to a jump back", "counts stamped by the old clock are forgotten: the client searches again")
def test_rate_limit_counts_are_forgotten_after_a_jump(tmp_path):
    from kiosk.jobs import clock_jumped

    app = create_app({"DATA_DIR": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 't.db'}",
                      "SECRET_KEY": "t", "TESTING": True, "SCHEDULER_ENABLED": False,
                      "SOCKETIO_ASYNC_MODE": "threading", "MESSAGE_QUEUE_URL": None,
                      "SEARCH_RATE_LIMIT": "3/minute"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    assert [client.get("/api/v1/guides?q=sfz").status_code for _ in range(4)] == [200, 200, 200, 429]
    clock_jumped(app, None, -3600.0)
    assert client.get("/api/v1/guides?q=sfz").status_code == 200
    with app.app_context():
        db.engine.dispose()


# -- scheduled jobs -----------------------------------------------------------------------------
class FrozenDatetime(datetime):
    """APScheduler's ``datetime.now`` pointed at the test's clock (frozen between jumps, so
    "no further run" is a fact, not a wait)."""

    clock: Clock

    @classmethod
    def now(cls, tz=None):
        return cls.clock.now.astimezone(tz) if tz else cls.clock.now.replace(tzinfo=None)


@pytest.mark.reliability("Server clock jump: scheduled jobs", "the real job list under APScheduler with its clock moved "
                         "1 day forward, then 2 days back", "forward: each periodic and daily job runs once (no burst); back: "
                         "each periodic job runs once at once and then on its period from the new time")
def test_jobs_run_once_after_a_jump_and_do_not_fall_silent_after_a_jump_back(demo_app, monkeypatch):
    from kiosk.jobs import make_scheduler, rearm

    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    FrozenDatetime.clock = clock
    monkeypatch.setattr("apscheduler.schedulers.base.datetime", FrozenDatetime)
    monkeypatch.setattr("apscheduler.triggers.interval.datetime", FrozenDatetime)
    monkeypatch.setattr("kiosk.services.publish.utcnow", clock)
    monkeypatch.setattr("kiosk.models.utcnow", clock)
    scheduler = make_scheduler(demo_app, gevent=False)
    periodic = {j.id: j.trigger.interval for j in scheduler.get_jobs() if hasattr(j.trigger, "interval")}
    daily = [j.id for j in scheduler.get_jobs() if j.id not in periodic]
    assert set(periodic) >= {"resync", "content-watch", "publish-due", "popular-guides"}
    assert set(daily) == {"audit-prune", "security-prune"}
    events: dict[str, list[int]] = {}
    lock = threading.Lock()

    def record(event) -> None:
        with lock:
            events.setdefault(event.job_id, []).append(event.code)

    scheduler.add_listener(record, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)

    def count(job_id: str, code: int) -> int:
        with lock:
            return events.get(job_id, []).count(code)

    def settled(job_ids) -> bool:
        """Every due run of these jobs was submitted and has finished, and the clock stands still."""
        return all(scheduler.get_job(j).next_run_time > clock.now
                   and count(j, EVENT_JOB_SUBMITTED) == count(j, EVENT_JOB_EXECUTED) + count(j, EVENT_JOB_ERROR)
                   for j in job_ids)

    scheduler.start()
    try:
        clock.jump(DAY)  # forward: 8,640 missed content-watch runs, 288 resyncs, one 03:30 …
        scheduler.wakeup()
        wait_until(lambda: settled([*periodic, *daily]) and all(count(j, EVENT_JOB_SUBMITTED) for j in [*periodic, *daily]),
                 "the runs after the jump forward")
        for job_id in [*periodic, *daily]:
            assert count(job_id, EVENT_JOB_SUBMITTED) == 1, (job_id, events.get(job_id))
            assert count(job_id, EVENT_JOB_ERROR) == count(job_id, EVENT_JOB_MISSED) == 0, (job_id, events.get(job_id))

        clock.jump(-2 * DAY)  # back: every next run now lies a day or more ahead
        assert all(scheduler.get_job(j).next_run_time - clock.now > DAY / 2 for j in periodic)
        rearm(scheduler, clock.now)  # what the watch does when it sees the jump
        wait_until(lambda: settled(periodic) and all(count(j, EVENT_JOB_SUBMITTED) == 2 for j in periodic),
                 "the runs after the jump back")
        for job_id, interval in periodic.items():
            assert scheduler.get_job(job_id).next_run_time - clock.now <= interval
            assert count(job_id, EVENT_JOB_ERROR) == 0, (job_id, events.get(job_id))
        for job_id in daily:
            assert timedelta(0) < scheduler.get_job(job_id).next_run_time - clock.now <= DAY
    finally:
        scheduler.shutdown(wait=True)
