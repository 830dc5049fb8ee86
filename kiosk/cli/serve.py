"""``kiosk serve`` (web + Socket.IO + in-process scheduler), ``kiosk scheduler``, ``kiosk db``."""

from __future__ import annotations

import gc
import logging
import signal

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db, socketio
from ..jobs import make_scheduler, watch_clock
from ..models import Screen
from ..services.publish import get_publisher
from ..services.storage_faults import OutageLog
from .common import app_from, credentials_file, ensure_schema, is_empty
from .listener import make_server

log = logging.getLogger(__name__)


def _gevent_ready() -> bool:
    from gevent import monkey

    return monkey.is_module_patched("socket")


def _print_welcome(app: Flask, host: str, port: int) -> None:
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    screens = db.session.scalars(
        select(Screen).where(Screen.revoked_at.is_(None)).options(selectinload(Screen.group)).order_by(Screen.id).limit(20)
    ).all()
    click.echo("")
    click.echo(f"政务服务大厅内容服务已启动 · serving at {base}")
    if screens:
        click.echo("屏幕 (screens):")
        for s in screens:
            click.echo(f"  {s.name:<10} [{s.kind}/{s.group.name}]  {base}/screen/{s.token}")
    click.echo(f"办事指南接口 (guide API): {base}/api/v1/guides?q=sfz")
    path = credentials_file(app)
    if path.exists():
        name, password = path.read_text(encoding="utf-8").split()[:2]
        click.echo(f"管理员账号 (admin): {name} / {password}   (saved in {path})")
    click.echo("")


def flush_presence(app: Flask, outage: OutageLog) -> None:
    """One flush of the heartbeats seen since the last. A locked database or a full disk is
    logged once when it starts and once when it is over (``outage``), not as a traceback every
    couple of seconds; the heartbeats wait in memory meanwhile (Presence.flush keeps them)."""
    with app.app_context():
        try:
            get_publisher(app).presence.flush(db.session)
            outage.worked()
        except Exception as exc:
            if not outage.failed(exc):
                log.exception("presence flush failed; will retry")
        finally:
            db.session.remove()


def _start_presence_flusher(app: Flask) -> None:
    interval = float(app.config.get("PRESENCE_FLUSH_SECONDS", 2))
    outage = OutageLog(log, "presence flush", "heartbeats kept in memory, retrying")

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            flush_presence(app, outage)

    socketio.start_background_task(loop)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--data-dir", default=None, help="Folder for the embedded database.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, data_dir: str | None) -> None:
    """Serve screens, the API and (unless KIOSK_SCHEDULER=0) the schedule, in one process."""
    if not _gevent_ready():
        raise click.UsageError("run through the `kiosk` console script (gevent must patch first)")
    app = app_from(ctx, data_dir, SOCKETIO_ASYNC_MODE="gevent")
    with app.app_context():
        if is_empty():
            from .content import load_demo

            click.echo("空数据库：导入演示内容 (empty database: importing the demo content)")
            load_demo(app)
        _print_welcome(app, host, port)
        publisher = get_publisher(app)
        scheduler = None
        if app.config["SCHEDULER_ENABLED"]:
            scheduler = make_scheduler(app, gevent=True)
            scheduler.start()
        publisher.reschedule()
        db.session.remove()
    _start_presence_flusher(app)
    watch_clock(app, scheduler)
    _warm_search(app)

    _stop_on_sigterm(app, scheduler)
    # Freeze what start-up allocated (SQLAlchemy, Jinja, the app) so the
    # cyclic GC stops re-scanning it; full collections during an alert fan-out then pause
    # about as long as a bare Flask-SocketIO server's (docs/benchmarks.md, finding 2).
    gc.collect()
    gc.freeze()
    server = make_server(app, host, port, app.config["DEAD_PEER_SECONDS"])
    socketio.wsgi_server = server  # socketio.stop() (SIGTERM) stops this one
    server.serve_forever()


def _warm_search(app: Flask) -> None:
    """Build the search index right after start, before citizens ask (seconds for thousands of
    guides, one for the demo), while screens already get their states; a search that comes
    first waits for it. Later writes only re-index what they changed. What it built is frozen
    for the collector like the rest of start-up (see below)."""
    from ..services.search import get_engine

    def warm() -> None:
        with app.app_context():
            try:
                get_engine(app).ensure_fresh(db.session)
            except Exception:
                log.exception("search index build failed; the first search retries")
            finally:
                db.session.remove()
        gc.collect()
        gc.freeze()

    socketio.start_background_task(warm)


def _stop_on_sigterm(app: Flask, scheduler) -> None:
    """Graceful stop: flush what screens reported, stop the scheduler, close the server.

    The work runs in a greenlet spawned by gevent's own signal handling: a plain
    ``signal.signal`` handler interrupts whatever greenlet is running, and blocking there
    (the flush, the scheduler's shutdown) raises gevent's BlockingSwitchOutError.
    """
    import gevent

    def graceful() -> None:
        try:
            with app.app_context():
                get_publisher(app).presence.flush(db.session)
                db.session.remove()
        except Exception:
            log.exception("presence flush at shutdown failed")
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        log.info("SIGTERM: stopping the server")
        socketio.stop()  # serve_forever returns, and so does `kiosk serve`

    gevent.signal_handler(signal.SIGTERM, lambda: gevent.spawn(graceful))


@click.command("scheduler")
@click.pass_context
def scheduler_cmd(ctx: click.Context) -> None:
    """Run only the scheduler (scale-out: exactly one such process, emitting via Redis)."""
    app = app_from(ctx, SOCKETIO_ASYNC_MODE="gevent")
    if not app.config.get("MESSAGE_QUEUE_URL"):
        raise click.UsageError("KIOSK_MESSAGE_QUEUE_URL is required: screens are held by other processes")
    scheduler = make_scheduler(app, gevent=True)
    scheduler.start()
    watch_clock(app, scheduler)
    with app.app_context():
        get_publisher(app).tick()
    click.echo("scheduler running; Ctrl-C to stop")
    import gevent

    try:
        while True:
            gevent.sleep(3600)
    except KeyboardInterrupt:
        scheduler.shutdown(wait=False)


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations through Flask-Migrate)."""


@db_group.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply every migration (also done automatically by `serve`)."""
    app = app_from(ctx)
    with app.app_context():
        ensure_schema(app)
    click.echo("database is up to date")
