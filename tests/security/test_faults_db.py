"""Faults during a write (issue 10, §6): the database locked by another connection past the
wait, the disk full. Every write path — the kiosk's rating and visit POSTs, an API write, a
guide saved in the panel, ``kiosk import``, the presence flush and the scheduled jobs — must
refuse cleanly: a 503 (or a one-line CLI error) that says so in Chinese, one log line and no
traceback, not one row of it stored, screens still served meanwhile, and the next write after
the fault succeeds. The lock is real (a second SQLite connection in ``BEGIN IMMEDIATE``); the
full disk is a real small filesystem (a tmpfs, mounted as root) filled to its last byte.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio

from kiosk import create_app
from kiosk.extensions import db
from kiosk.services.users import add_user, create_token

from ..admin.conftest import PASSWORD, csrf_from, login
from ..admin.test_content_panel import guide_form
from ..live import KIOSK, LiveServer
from ..touch.kiosk_util import VISIT, kiosk_token, url

BUSY_SECONDS = 0.3  # how long a write waits for the lock here (15 s in a hall)
NOTICE = """\
- code: fault-test
  kind: notice
  title: 故障测试通知
  body: <p>数据库恢复后导入的通知</p>
"""


# -- the faults -------------------------------------------------------------------------------
@contextmanager
def write_lock(db_file: Path) -> Iterator[None]:
    """Another connection holds SQLite's write lock (as a long ``kiosk import`` or a
    ``sqlite3`` shell left in a transaction does) until the block ends."""
    holder = sqlite3.connect(db_file, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 16 MB tmpfs: a real filesystem that runs out of space (needs root, as CI runs)."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:  # as root this is a broken machine, not a reason to skip
        pytest.fail(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextmanager
def disk_full(folder: Path) -> Iterator[None]:
    """Fill the filesystem of ``folder`` to its last byte until the block ends."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        chunk = b"\0" * 65536
        while True:
            try:
                os.write(fd, chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    finally:
        os.close(fd)
    try:
        yield
    finally:
        filler.unlink()


# -- a hall on a copy of the demo database ------------------------------------------------------
@dataclass
class Hall:
    app: object
    folder: Path

    @property
    def db_file(self) -> Path:
        return self.folder / "kiosk.db"

    def counts(self) -> dict[str, int]:
        """Rows of every table, read by a connection of its own (WAL: readers never wait)."""
        conn = sqlite3.connect(self.db_file, timeout=0)
        try:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
        finally:
            conn.close()


def open_hall(folder: Path, demo_db: Path) -> Hall:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, folder / "kiosk.db")
    if (demo_db.parent / "uploads").is_dir():
        shutil.copytree(demo_db.parent / "uploads", folder / "uploads")
    app = create_app({
        "DATA_DIR": str(folder), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'kiosk.db'}",
        "SECRET_KEY": "test", "TESTING": True, "SCHEDULER_ENABLED": False,
        "SOCKETIO_ASYNC_MODE": "threading", "MESSAGE_QUEUE_URL": None,
        "PUBLIC_BASE_URL": "http://hall.example", "DB_BUSY_SECONDS": BUSY_SECONDS,
    })
    return Hall(app, folder)


def close_hall(hall: Hall) -> None:
    with hall.app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def hall(tmp_path, demo_db):
    h = open_hall(tmp_path / "hall", demo_db)
    yield h
    close_hall(h)


@pytest.fixture
def full_hall(small_disk, demo_db):
    h = open_hall(small_disk / "hall", demo_db)
    yield h
    close_hall(h)


# -- the writes ---------------------------------------------------------------------------------
@dataclass
class Write:
    """One write a person makes: ``prepare`` runs before the fault (sign in, a token, a form's
    CSRF token), ``send`` is the write itself; ``ok`` is its status when it is stored."""

    name: str
    prepare: Callable[[Hall], Callable[[], object]]
    ok: int
    json: bool = True


def _rating(hall: Hall):
    client, token = hall.app.test_client(), kiosk_token(hall.app)
    return lambda: client.post(url(token, "evaluations"), json={"level": 4, "reasons": ["办理速度快"]})


def _visit(hall: Hall):
    client, token = hall.app.test_client(), kiosk_token(hall.app)
    events = [{"kind": "visit_start"}, {"kind": "page_view", "page": "home"}, {"kind": "visit_end", "reason": "idle"}]
    return lambda: client.post(url(token, "events"), json={"visit": VISIT, "events": events})


def _api_alert(hall: Hall):
    with hall.app.app_context():
        add_user(db.session, "api-admin", "admin", PASSWORD, actor="test")
        _, plain = create_token(db.session, "api-admin", actor="test")
        db.session.commit()
    client, headers = hall.app.test_client(), {"Authorization": f"Bearer {plain}"}
    return lambda: client.post("/api/v1/alerts", headers=headers,
                               json={"text": "系统维护，请到人工窗口办理", "groups": ["kiosks"]})


def _guide_save(hall: Hall):
    with hall.app.app_context():
        add_user(db.session, "editor1", "editor", PASSWORD, actor="test")
        db.session.commit()
    client = hall.app.test_client()
    assert login(client, "editor1").status_code == 302
    token = csrf_from(client.get("/admin/content/guides/new").text)
    form = guide_form(token, code="FAULT-0001", department="gongan")
    return lambda: client.post("/admin/content/guides/new", data=form)


WRITES = [
    Write("kiosk rating", _rating, 201),
    Write("kiosk visit events", _visit, 204),
    Write("API alert", _api_alert, 201),
    Write("panel guide save", _guide_save, 302, json=False),
]


def refused_cleanly(response, write: Write, code: str, text: str, caplog) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"]
    if write.json:
        error = response.get_json()["error"]
        assert error["code"] == code and text in error["message"] and "未保存" in error["message"]
    else:
        page = response.get_data(as_text=True)
        assert text in page and "未保存" in page and "Traceback" not in page
    lines = [r for r in caplog.records if r.name == "kiosk.errors"]
    assert len(lines) == 1 and code in lines[0].getMessage() and "nothing stored" in lines[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def still_serves_screens(hall: Hall) -> None:
    client, token = hall.app.test_client(), kiosk_token(hall.app)
    state = client.get(f"/screen/{token}/state")
    assert state.status_code == 200 and state.get_json()["items"]
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
@pytest.mark.reliability("Database locked during a write", "another SQLite connection holds the write lock past the wait "
                         "(BEGIN IMMEDIATE) during a kiosk rating, visit events, an API alert, a panel guide save",
                         "503 数据库繁忙 (JSON or page), one log line, no row stored, screens served; the next write succeeds")
def test_a_write_while_the_database_is_locked_is_refused_cleanly(hall, write, caplog):
    send = write.prepare(hall)
    before = hall.counts()
    caplog.clear()
    with caplog.at_level(logging.INFO), write_lock(hall.db_file):
        response = send()
        refused_cleanly(response, write, "database_busy", "数据库繁忙", caplog)
        assert hall.counts() == before
        still_serves_screens(hall)
    assert send().status_code == write.ok
    assert hall.counts() != before


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
@pytest.mark.reliability("Disk full during a write", "a 16 MB tmpfs holding the database filled to its last byte, then a "
                         "kiosk rating, visit events, an API alert, a panel guide save",
                         "503 存储空间已满, one log line, no row stored, screens served; the next write after space is freed succeeds")
def test_a_write_on_a_full_disk_is_refused_cleanly(full_hall, write, caplog):
    send = write.prepare(full_hall)
    still_serves_screens(full_hall)  # the write-ahead log and its index exist before the disk fills
    before = full_hall.counts()
    caplog.clear()
    with caplog.at_level(logging.INFO), disk_full(full_hall.folder):
        response = send()
        refused_cleanly(response, write, "disk_full", "存储空间已满", caplog)
        assert full_hall.counts() == before
        still_serves_screens(full_hall)
    assert send().status_code == write.ok
    assert full_hall.counts() != before


# -- kiosk import -------------------------------------------------------------------------------
def kiosk_cli(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([KIOSK, "--data-dir", str(folder), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "KIOSK_DB_BUSY_SECONDS": str(BUSY_SECONDS)})


@pytest.mark.reliability("Database locked or disk full during kiosk import", "kiosk import of a notice while another "
                         "connection holds the write lock, then with the disk full",
                         "exit code 3 with one line in Chinese, no traceback, nothing imported; the import succeeds after")
def test_kiosk_import_fails_in_one_line_and_imports_nothing(full_hall, tmp_path):
    still_serves_screens(full_hall)  # a running server holds the write-ahead log open beside the import
    source = tmp_path / "notice"
    source.mkdir()
    (source / "notices.yaml").write_text(NOTICE, encoding="utf-8")
    done = kiosk_cli(full_hall.folder, "db", "upgrade")  # the demo copy was made without migrations
    assert done.returncode == 0, done.stderr
    before = full_hall.counts()
    for fault, words in ((write_lock(full_hall.db_file), "数据库繁忙"), (disk_full(full_hall.folder), "存储空间已满")):
        with fault:
            done = kiosk_cli(full_hall.folder, "import", str(source))
        assert done.returncode == 3, done.stderr
        assert words in done.stderr and "未写入任何数据" in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert full_hall.counts() == before
    done = kiosk_cli(full_hall.folder, "import", str(source))
    assert done.returncode == 0, done.stderr
    assert full_hall.counts()["notice"] == before["notice"] + 1


# -- background writers: the presence flush and the scheduled jobs ------------------------------
@pytest.mark.reliability("Database locked during the presence flush and scheduled jobs", "presence flush and the "
                         "security-prune job run three times while another connection holds the write lock",
                         "one warning line each (no traceback), heartbeats kept; written and one recovery line after")
def test_background_writers_log_one_line_per_outage_and_catch_up(hall, caplog):
    from kiosk.cli.serve import flush_presence
    from kiosk.jobs import make_scheduler
    from kiosk.services.publish import get_publisher
    from kiosk.services.storage_faults import OutageLog

    app = hall.app
    with app.app_context():
        screen_id = db.session.execute(db.text("SELECT id FROM screen WHERE kind = 'kiosk'")).scalar()
    presence = get_publisher(app).presence
    presence.heartbeat(screen_id, "v-during-lock", "guide:x")
    prune = make_scheduler(app, gevent=False).get_job("security-prune").func
    outage = OutageLog(logging.getLogger("kiosk.cli.serve"), "presence flush", "heartbeats kept in memory, retrying")
    caplog.clear()
    caplog.set_level(logging.INFO)
    with write_lock(hall.db_file):
        for _ in range(3):
            flush_presence(app, outage)
            prune(app)
        assert presence.pending_version(screen_id) == "v-during-lock"  # kept for the next try
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([m for m in warnings if m.startswith("presence flush failed (database_busy")]) == 1, warnings
    assert len([m for m in warnings if m.startswith("job security-prune failed (database_busy")]) == 1, warnings
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    flush_presence(app, outage)
    prune(app)
    assert presence.pending_version(screen_id) is None
    conn = sqlite3.connect(hall.db_file)
    assert conn.execute("SELECT last_version FROM screen WHERE id = ?", (screen_id,)).fetchone()[0] == "v-during-lock"
    conn.close()
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert [m for m in infos if m.startswith("presence flush works again")]
    assert [m for m in infos if m.startswith("job security-prune works again")]


# -- a live server: a write waiting for the lock holds nobody else up ----------------------------
@pytest.mark.reliability("Database locked under the real gevent server", "kiosk serve; a kiosk rating waits for another "
                         "connection's write lock while /healthz is asked and a screen connects",
                         "both answered while the rating still waits (the wait yields the loop); the rating is stored once the lock goes")
def test_a_write_waiting_for_the_lock_does_not_stop_the_server(tmp_path):
    server = LiveServer(tmp_path / "live", env={"KIOSK_DB_BUSY_SECONDS": "120"}).start()
    screens = server.screens()
    kiosk = next(s for s in screens if s["kind"] == "kiosk")
    wall = next(s for s in screens if s["kind"] == "led_wall")
    result: dict = {}
    client = socketio.Client(reconnection=False)
    try:
        with write_lock(server.data_dir / "kiosk.db"):
            def rate() -> None:
                result["rating"] = requests.post(f"{server.url}/screen/{kiosk['token']}/kiosk/evaluations",
                                                 json={"level": 5}, timeout=180)

            waiting = threading.Thread(target=rate)
            waiting.start()
            health = requests.get(server.url + "/healthz", timeout=60)
            states: list = []
            got = threading.Event()
            client.on("state", lambda s: (states.append(s), got.set()), namespace="/display")
            client.connect(server.url, namespaces=["/display"], transports=["websocket"],
                           auth={"token": wall["token"]}, wait_timeout=60)
            assert got.wait(60) and states[0]["items"]
            assert health.status_code == 200
            assert waiting.is_alive() and "rating" not in result  # still waiting for the lock
        waiting.join(180)
        assert result["rating"].status_code == 201, result["rating"].text
    finally:
        client.disconnect()
        server.stop()
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log
