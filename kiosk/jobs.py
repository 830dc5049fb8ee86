"""The declarative list of scheduled jobs (stable ids) and the scheduler that runs them.

The scheduler runs in exactly one process: inside ``kiosk serve`` on the embedded default, or
as ``kiosk scheduler`` when scaled out (then web processes run with KIOSK_SCHEDULER=0).
Jobs never emit themselves: they ask the publisher, which recomputes the present.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from .extensions import db, socketio
from .services.accounts import prune_security_job
from .services.audit import prune_job
from .services.clock import ClockWatch
from .services.popular import refresh_job as popular_job
from .services.publish import get_publisher
from .services.review import publish_due_job
from .services.storage_faults import OutageLog

log = logging.getLogger(__name__)


def tick(app: Flask) -> None:
    """Republish whatever changed at a schedule boundary and arm the next one."""
    with app.app_context():
        try:
            get_publisher(app).tick()
        finally:
            db.session.remove()


def resync(app: Flask) -> None:
    """Safety net: recompute the present even if a change was made by another process."""
    tick(app)


def watch_content(app: Flask) -> None:
    """Republish within seconds when another process wrote content (see Publisher.watch)."""
    with app.app_context():
        try:
            get_publisher(app).watch()
        finally:
            db.session.remove()


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[Flask], None]
    trigger: str
    args: dict[str, Any] = field(default_factory=dict)
    doc: str = ""
    every_setting: str | None = None  # interval jobs: seconds from this config key instead


JOBS: tuple[JobSpec, ...] = (
    JobSpec("next-boundary", tick, "date", doc="fires at the next schedule/alert/notice boundary"),
    JobSpec("resync", resync, "interval", {"minutes": 5}, doc="recompute the present every 5 min"),
    JobSpec("content-watch", watch_content, "interval", every_setting="CONTENT_WATCH_SECONDS",
            doc="a content write by another process (kiosk import, another web process) → republish"),
    JobSpec("publish-due", publish_due_job, "interval", {"minutes": 1}, doc="approved content whose publish_from/expire_at came"),
    JobSpec("popular-guides", popular_job, "interval", every_setting="POPULAR_SECONDS",
            doc="rank published guides by views (30 days) for popular:<n> items; republish only when the order moved"),
    JobSpec("audit-prune", prune_job, "cron", {"hour": 3, "minute": 30},
            doc="daily 03:30 hall time: delete audit rows older than AUDIT_RETENTION_DAYS"),
    JobSpec("security-prune", prune_security_job, "cron", {"hour": 3, "minute": 40},
            doc="daily 03:40: forget login-throttle counts older than a day and sessions past their 12 h"),
)


def guarded(job_id: str, func: Callable[[Flask], None]) -> Callable[[Flask], None]:
    """``func`` with a locked database or a full disk logged once when it starts and once
    when it is over: APScheduler would log a full traceback at every run (content-watch runs
    every 10 s). The job rolled back whatever it wrote; its next run simply tries again (jobs
    recompute the present, nothing is owed from a failed run). Other errors still reach
    APScheduler with their traceback."""
    outage = OutageLog(log, f"job {job_id}", "nothing stored, the next run retries")

    def run(app: Flask) -> None:
        try:
            func(app)
        except Exception as exc:
            if not outage.failed(exc):
                raise
        else:
            outage.worked()

    run.__name__ = run.__qualname__ = getattr(func, "__name__", job_id)
    return run


def make_scheduler(app: Flask, *, gevent: bool) -> BaseScheduler:
    """Create (not start) the scheduler with every job of ``JOBS`` and wire the publisher."""
    if gevent:
        from apscheduler.schedulers.gevent import GeventScheduler as Scheduler
    else:
        from apscheduler.schedulers.background import BackgroundScheduler as Scheduler
    scheduler = Scheduler(
        timezone=app.config["TIMEZONE"],
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    for job in JOBS:
        if job.trigger == "date":
            continue  # armed by the publisher with the computed next boundary
        every = {"seconds": app.config[job.every_setting]} if job.every_setting else job.args
        scheduler.add_job(guarded(job.id, job.func), job.trigger, args=[app], id=job.id,
                          replace_existing=True, **every)
    boundary = next(j for j in JOBS if j.id == "next-boundary")
    boundary_run = guarded(boundary.id, boundary.func)

    def arm(next_run: datetime | None) -> None:
        if next_run is None:
            if scheduler.get_job(boundary.id):
                scheduler.remove_job(boundary.id)
            return
        scheduler.add_job(boundary_run, "date", run_date=next_run, args=[app], id=boundary.id,
                          replace_existing=True)
        log.info("next boundary at %s", next_run.isoformat())

    get_publisher(app).on_reschedule = arm
    return scheduler


# -- wall-clock jumps (services/clock.py) ------------------------------------------------------
CLOCK_CHECK_SECONDS = 5.0


def rearm(scheduler: BaseScheduler, now: datetime) -> None:
    """After a jump of the wall clock: every periodic job runs once now and then on its period
    from the new time (after a jump back it would otherwise wait until the old time came round
    again: content-watch and resync silent for as long as the jump); a daily job waits for its
    next time of day. The next-boundary job is re-armed by the publisher. After a jump
    forward APScheduler would run each missed job once (coalesce), never a burst of them."""
    for job in scheduler.get_jobs():
        if isinstance(job.trigger, IntervalTrigger):
            job.modify(next_run_time=now)
        elif isinstance(job.trigger, CronTrigger):
            job.modify(next_run_time=job.trigger.get_next_fire_time(None, now))
    scheduler.wakeup()


def clock_jumped(app: Flask, scheduler: BaseScheduler | None, jump: float) -> None:
    """What a jump of ``jump`` seconds changes: the jobs' times, rate-limit counts stamped with
    the old clock (a backward jump would hold a client's window open for the whole jump),
    and what every screen shows (recomputed for the new time, sent even where the version
    did not move so that screens take the new clock offset)."""
    from .guard.limits import limiter
    from .models import utcnow

    now = utcnow()
    log.warning("wall clock jumped %+.0f s (now %s): republishing every room, re-arming jobs, "
                "forgetting rate-limit counts", jump, now.isoformat(timespec="seconds"))
    if scheduler is not None:
        rearm(scheduler, now.astimezone(scheduler.timezone))
    try:
        limiter.reset()
    except Exception as exc:  # Redis down: its counts expire on their own
        log.warning("rate-limit counts not reset: %s", exc)
    with app.app_context():
        try:
            get_publisher(app).clock_jumped()
        finally:
            db.session.remove()


def watch_clock(app: Flask, scheduler: BaseScheduler | None, watch: ClockWatch | None = None,
                interval: float = CLOCK_CHECK_SECONDS) -> None:
    """Look for wall-clock jumps every ``interval`` seconds (a monotonic sleep) for as long
    as the process runs (``kiosk serve``, ``kiosk scheduler``)."""
    watch = watch or ClockWatch()

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            jump = watch.check()
            if jump:
                try:
                    clock_jumped(app, scheduler, jump)
                except Exception:
                    log.exception("handling the clock jump failed")

    socketio.start_background_task(loop)
