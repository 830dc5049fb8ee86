"""The scheduler with the real APScheduler: one ``next-boundary`` job, armed at the next
boundary, re-armed after every change, and publishing the recomputed present when it fires.

``make_scheduler`` is the same function ``kiosk serve`` and ``kiosk scheduler`` use; only the
flavour differs (a thread here, gevent in the server).
"""

from __future__ import annotations

import os
import subprocess
import time as clock
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.extensions import db, socketio
from kiosk.jobs import JOBS, make_scheduler
from kiosk.models import Playlist, ScheduleEntry, Screen, utcnow
from kiosk.services.alerts import create_alert
from kiosk.services.publish import get_publisher
from kiosk.services.schedule import next_boundary
from kiosk.services.state import load_rows

from .live import KIOSK


@pytest.fixture
def scheduler(demo_app):
    """The real scheduler of the app, running in a thread; yields (scheduler, start)."""
    made = make_scheduler(demo_app, gevent=False)

    def start(paused: bool = False):
        made.start(paused=paused)
        return made

    yield start
    if made.running:
        made.shutdown(wait=True)


def boundary_job(sched):
    job = sched.get_job("next-boundary")
    assert job is not None, "the next-boundary job is not armed"
    return job.next_run_time


def add_takeover_entry(app, name: str, start_in: timedelta) -> datetime:
    """A takeover for the lobby starting ``start_in`` from now (hall time); returns the start."""
    zone = ZoneInfo(app.config["TIMEZONE"])
    start = (utcnow() + start_in).astimezone(zone).replace(microsecond=0)  # states carry ms
    playlist = db.session.query(Playlist).filter_by(name="lobby-evening").one()
    db.session.add(ScheduleEntry(
        name=name, playlist=playlist, groups=["lobby"], start_time=start.time(),
        end_time=(start + timedelta(hours=1)).time(), priority=1000, takeover=True))
    db.session.commit()
    return start


def test_the_declared_jobs_are_scheduled_with_stable_ids(demo_app, scheduler):
    sched = scheduler(paused=True)
    ids = {job.id for job in sched.get_jobs()}
    assert ids == {j.id for j in JOBS if j.trigger != "date"}  # next-boundary: armed on demand
    assert sched.get_job("next-boundary") is None


def test_next_boundary_is_armed_then_rearmed_after_each_change(demo_app, scheduler):
    sched = scheduler(paused=True)  # armed and inspected, never fired here
    with demo_app.app_context():
        publisher = get_publisher(demo_app)
        armed = publisher.reschedule()
        expected = next_boundary(load_rows(db.session, demo_app.config["TIMEZONE"]), utcnow())
        assert armed == expected and boundary_job(sched) == armed
        assert armed - utcnow() <= timedelta(hours=24)

        # a schedule entry that starts sooner than anything else moves the job to its start
        start = add_takeover_entry(demo_app, "jobs-test-soon", timedelta(minutes=1))
        publisher.changed()
        assert boundary_job(sched) == min(start, armed)
        armed = boundary_job(sched)

        # so does an alert that expires sooner still (alerts re-arm without re-rendering slides)
        alert = create_alert(db.session, publisher, text="测试：十秒后结束", level="info", groups=[],
                             expires_in=10, actor="test", user_id=None)
        assert boundary_job(sched) == min(alert.expires_at, armed)
        assert len([j for j in sched.get_jobs() if j.id == "next-boundary"]) == 1  # one job only


def test_when_the_job_fires_the_screens_get_the_new_present(demo_app, scheduler):
    with demo_app.app_context():
        wall = db.session.query(Screen).filter_by(kind="led_wall").order_by(Screen.id).first()
        token = wall.token
    client = socketio.test_client(demo_app, namespace="/display", auth={"token": token})
    [before] = [m["args"][0] for m in client.get_received("/display") if m["name"] == "state"]
    sched = scheduler()
    with demo_app.app_context():
        start = add_takeover_entry(demo_app, "jobs-test-now", timedelta(seconds=5))
        get_publisher(demo_app).changed()  # the timeline now shows the takeover ahead
    assert boundary_job(sched) == start
    client.get_received("/display")

    deadline = clock.monotonic() + 15  # the boundary is <= 5 s away; the job then publishes
    after = None
    while clock.monotonic() < deadline and after is None:
        for m in client.get_received("/display"):
            if m["name"] == "state" and m["args"][0]["timeline"][0]["source"] == "jobs-test-now":
                after = m["args"][0]
        clock.sleep(0.1)
    assert after is not None, "the next-boundary job did not publish the takeover"
    assert after["version"] != before["version"]
    assert after["timeline"][0]["mode"] == "takeover"
    assert datetime.fromisoformat(after["timeline"][0]["start"]) == start
    assert boundary_job(sched) > start  # fired, and armed again for the next boundary
    client.disconnect(namespace="/display")


def test_content_imported_by_another_process_reaches_the_screens(demo_app, tmp_path):
    """`kiosk import` beside a running server: its publisher never hears of the write, the
    content-watch job sees the audit stamp move and republishes within seconds."""
    demo_app.config["CONTENT_WATCH_SECONDS"] = 0.5
    with demo_app.app_context():
        wall = db.session.query(Screen).filter_by(kind="led_wall").order_by(Screen.id).first()
        token = wall.token
    client = socketio.test_client(demo_app, namespace="/display", auth={"token": token})
    client.get_received("/display")
    sched = make_scheduler(demo_app, gevent=False)  # after the setting: it reads the interval
    sched.start()
    clock.sleep(1.2)  # the job has looked once (the first look only notes the stamp)

    folder = tmp_path / "import"
    folder.mkdir()
    line = "本周六上午正常开放，办理不动产登记业务请提前预约。"
    (folder / "ticker.yaml").write_text(f"- code: saturday\n  text: {line}\n  groups: [lobby]\n", "utf-8")
    env = {**os.environ, "KIOSK_DATA_DIR": str(tmp_path),
           "KIOSK_DATABASE_URL": demo_app.config["SQLALCHEMY_DATABASE_URI"]}
    done = subprocess.run([KIOSK, "import", str(folder)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    deadline = clock.monotonic() + 10
    got = None
    while clock.monotonic() < deadline and got is None:
        for m in client.get_received("/display"):
            if m["name"] == "state" and line in m["args"][0]["ticker"]:
                got = m["args"][0]
        clock.sleep(0.1)
    sched.shutdown(wait=True)
    assert got is not None, "the imported ticker line did not reach the screen"
    client.disconnect(namespace="/display")
