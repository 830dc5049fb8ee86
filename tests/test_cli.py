"""The ``kiosk`` console script, run as a hall runs it (a real process, a real SQLite file):
screens, users, tokens, the demo import and ``serve --data-dir``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from kiosk import create_app
from kiosk.extensions import db
from kiosk.models import User
from kiosk.services.users import verify_password

from .live import KIOSK, free_port

PASSWORD = "correct-horse-42"


def kiosk(data_dir: Path, *args: str, input: str | None = None, env: dict | None = None):
    """``kiosk --data-dir DIR ARGS…``; returns the finished process (stdout, stderr, code)."""
    return subprocess.run(
        [KIOSK, "--data-dir", str(data_dir), *args], input=input, capture_output=True, text=True,
        timeout=180, env={**os.environ, **(env or {})},
    )


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr}"
    return done.stdout


def open_app(data_dir: Path):
    """An app on the same data dir, to look at what the command wrote."""
    return create_app({"DATA_DIR": str(data_dir), "SCHEDULER_ENABLED": False,
                       "SOCKETIO_ASYNC_MODE": "threading", "MESSAGE_QUEUE_URL": None})


@pytest.fixture
def data(tmp_path) -> Path:
    return tmp_path / "data"


def make_token(data: Path, user: str, role: str) -> str:
    ok(kiosk(data, "users", "add", user, "--role", role, input=PASSWORD + "\n"))
    return ok(kiosk(data, "tokens", "create", "--user", user)).rstrip("\n").splitlines()[-1]


def test_screens_add_prints_json_with_tokens_and_adds_count_screens(data):
    [one] = json.loads(ok(kiosk(data, "screens", "add", "--name", "大厅测试屏", "--group", "cli-lobby",
                                "--kind", "led_wall", "--json")))
    assert {"id", "name", "token"} <= set(one)
    assert one["name"] == "大厅测试屏" and one["layout"] == "led_wall"  # the kind's standard layout
    assert len(one["token"]) >= 20 and one["url"].endswith(f"/screen/{one['token']}")

    many = json.loads(ok(kiosk(data, "screens", "add", "--name", "压测条屏", "--group", "cli-bench",
                               "--kind", "window", "--layout", "led_strip", "--count", "3", "--json")))
    assert len(many) == 3 and len({s["token"] for s in many}) == 3
    assert all(s["name"].startswith("压测条屏") and s["layout"] == "led_strip" for s in many)

    listed = json.loads(ok(kiosk(data, "screens", "list", "--json")))
    assert {s["id"] for s in [one, *many]} <= {s["id"] for s in listed}

    # without --json: one tab-separated line per screen, the token in it
    plain = ok(kiosk(data, "screens", "add", "--name", "纯文本", "--group", "cli-lobby", "--kind", "kiosk"))
    [line] = plain.strip().splitlines()
    assert line.split("\t")[1] == "纯文本" and "/screen/" in line

    bad = kiosk(data, "screens", "add", "--name", "x", "--group", "g", "--kind", "led_wall",
                "--layout", "no-such-layout")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
    assert len(json.loads(ok(kiosk(data, "screens", "list", "--json")))) == len(listed) + 1


def test_users_add_reads_the_password_from_stdin_never_from_the_command_line(data):
    out = ok(kiosk(data, "users", "add", "clerk", "--role", "editor", input=PASSWORD + "\n"))
    assert "clerk" in out and PASSWORD not in out
    app = open_app(data)
    with app.app_context():
        user = db.session.query(User).filter_by(name="clerk").one()
        assert user.role == "editor" and verify_password(user, PASSWORD)
        assert PASSWORD not in user.password_hash

    for args in (("users", "add", "clerk2", "--role", "editor", "--password", PASSWORD),
                 ("users", "add", "clerk3", PASSWORD, "--role", "editor")):
        refused = kiosk(data, *args, input=PASSWORD + "\n")
        assert refused.returncode == 2, refused
        assert "No such option" in refused.stderr or "unexpected extra argument" in refused.stderr
    with app.app_context():
        assert {u.name for u in db.session.query(User)} == {"clerk"}
        db.session.remove()
        db.engine.dispose()

    weak = kiosk(data, "users", "add", "clerk4", "--role", "editor", input="short\n")
    assert weak.returncode == 2 and "password" in weak.stderr


def test_tokens_create_prints_the_token_alone_on_the_last_line(data):
    ok(kiosk(data, "users", "add", "api-viewer", "--role", "viewer", input=PASSWORD + "\n"))
    out = ok(kiosk(data, "tokens", "create", "--user", "api-viewer", "--label", "CLI test"))
    lines = out.rstrip("\n").splitlines()
    token = lines[-1]
    assert len(lines) >= 2 and re.fullmatch(r"[A-Za-z0-9_\-]{20,}", token), lines
    assert token not in "\n".join(lines[:-1])

    unknown = kiosk(data, "tokens", "create", "--user", "nobody")
    assert unknown.returncode == 2 and unknown.stdout == ""


def test_serve_uses_its_data_dir_and_a_cli_token_works_on_the_api(data, tmp_path):
    """``kiosk serve --data-dir`` beats KIOSK_DATA_DIR: the server answers from that folder
    (a screen and a token made there by the commands), the other folder stays untouched."""
    ok(kiosk(data, "screens", "add", "--name", "大厅测试屏", "--group", "cli-lobby", "--kind", "led_wall"))
    token = make_token(data, "api-viewer", "viewer")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KIOSK_DATA_DIR": str(decoy), "KIOSK_PUBLIC_BASE_URL": url}
    with open(tmp_path / "serve.log", "wb") as log:
        proc = subprocess.Popen([KIOSK, "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--data-dir", str(data)],
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")
            try:
                if requests.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        r = requests.get(url + "/api/v1/screens", headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert r.status_code == 200, r.text
        names = [s["name"] for s in r.json()["screens"]]
        assert names == ["大厅测试屏"]  # the data dir's screen, and no demo imported over it
        assert requests.get(url + "/api/v1/screens", headers={"Authorization": "Bearer nope"},
                            timeout=5).status_code == 401
        screen = next(s for s in json.loads(ok(kiosk(data, "screens", "list", "--json")))
                      if s["name"] == "大厅测试屏")
        assert requests.get(f"{url}/screen/{screen['token']}", timeout=5).status_code == 200
        assert list(decoy.iterdir()) == []
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_demo_imports_the_demo_into_an_empty_data_dir(tmp_path):
    empty = tmp_path / "fresh"
    out = ok(kiosk(empty, "demo"))
    assert "管理员 (admin): admin / " in out
    assert (empty / "kiosk.db").is_file() and (empty / "initial-admin.txt").is_file()
    screens = json.loads(ok(kiosk(empty, "screens", "list", "--json")))
    assert {s["kind"] for s in screens} == {"led_wall", "led_strip", "window", "kiosk"}
    app = open_app(empty)
    with app.app_context():
        from kiosk.models import Guide

        assert db.session.query(Guide).count() >= 40
        db.session.remove()
        db.engine.dispose()
    # a second run changes nothing and shows the same admin account
    again = ok(kiosk(empty, "demo"))
    assert out.splitlines()[-1] == again.splitlines()[-1]
    assert len(json.loads(ok(kiosk(empty, "screens", "list", "--json")))) == len(screens)
