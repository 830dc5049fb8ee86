"""A real ``kiosk serve`` process for socket, browser and benchmark tests.

It is the same command a hall runs (gevent, in-process scheduler), started on a free port
with its own data dir, so tests can stop and restart it like a power cut.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

KIOSK = str(Path(sys.executable).parent / "kiosk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, data_dir: Path, port: int | None = None, env: dict[str, str] | None = None,
                 host: str = "127.0.0.1"):
        self.data_dir = Path(data_dir)
        self.host = host  # where it listens; tests reach it at 127.0.0.1 either way
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "KIOSK_DATA_DIR": str(self.data_dir),
            "KIOSK_PUBLIC_BASE_URL": self.url,
            "KIOSK_PRESENCE_FLUSH_SECONDS": "0.5",
            "KIOSK_CONTENT_WATCH_SECONDS": "1",  # `kiosk import` beside the server shows soon
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None
        self.log = self.data_dir / "server.log"

    def kiosk(self, *args: str, input: str | None = None) -> str:
        """Run a ``kiosk`` command against the same data dir; returns stdout."""
        done = subprocess.run(
            [KIOSK, *args], env=self.env, input=input, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"kiosk {' '.join(args)} failed ({done.returncode}): {done.stderr}")
        return done.stdout

    def start(self, timeout: float = 60) -> LiveServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        logfile = open(self.log, "ab")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            [KIOSK, "serve", "--host", self.host, "--port", str(self.port)],
            env=self.env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not become ready:\n{self.log.read_text(errors='replace')[-3000:]}")

    def stop(self, hard: bool = False) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=15)
        self.proc = None

    def screens(self) -> list[dict]:
        return json.loads(self.kiosk("screens", "list", "--json"))

    def api_token(self, name: str = "tester", role: str = "admin") -> str:
        self.kiosk("users", "add", name, "--role", role, input="correct-horse-42\n")
        return self.kiosk("tokens", "create", "--user", name).strip().splitlines()[-1]
