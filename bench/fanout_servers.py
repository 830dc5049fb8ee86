"""The two servers of ``bench/fanout.py``: their processes and how each is set up.

``ServerProc`` runs a server in its own session (stopped with its whole process group),
with a clean environment (no inherited ``KIOSK_*``: never bench someone's real database).
``setup_real`` prepares ``kiosk serve`` with the kiosk CLI (demo content, the bench group
playing the lobby's playlist, N+1 screens, an admin and API token) and restarts it for a
clean baseline; ``setup_bare`` starts ``bench/bare_server.py`` with the real server's
on-connect state and keep-alive. Each returns a ``fanout_target.Target`` whose trigger is
that server's way of sending an alert (``POST /api/v1/alerts`` or ``POST /broadcast``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from fanout_target import STATE_PREFIX, Target, log, state_text

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
GROUP = "bench"
# The `kiosk` console script when the package is installed, else the same entry point by hand.
LAUNCH = "import sys; sys.argv[0] = 'kiosk'; from kiosk_launcher import main; main()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The caller's environment without any KIOSK_* (never bench someone's real database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def kiosk_cmd(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "kiosk"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", LAUNCH, *args]


class ServerProc:
    """A server subprocess in its own session (stopped with its whole process group)."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log: Path, port: int):
        self.name, self.cmd, self.env, self.log, self.port = name, cmd, env, log, port
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float) -> ServerProc:
        import requests

        with open(self.log, "ab") as logfile:
            self.proc = subprocess.Popen(
                self.cmd,
                env=self.env,
                cwd=ROOT,
                stdout=logfile,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited early:\n{self.tail()}")
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} server not ready in {timeout:.0f}s:\n{self.tail()}")

    def tail(self, n: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def rss(self) -> int:
        import psutil

        proc = psutil.Process(self.proc.pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total

    def cpu_percent(self, seconds: float) -> float:
        """CPU use of the server over `seconds`, in % of one core."""
        import psutil

        proc = psutil.Process(self.proc.pid)
        proc.cpu_percent(None)
        time.sleep(seconds)
        return proc.cpu_percent(None)

    def quiesce(self, timeout: float = 20.0, below: float = 5.0) -> None:
        """Wait (bounded) until the server process is idle: two 0.25 s samples under `below` %."""
        import psutil

        proc = psutil.Process(self.proc.pid)
        proc.cpu_percent(None)
        calm, deadline = 0, time.monotonic() + timeout
        while calm < 2 and time.monotonic() < deadline:
            time.sleep(0.25)
            calm = calm + 1 if proc.cpu_percent(None) < below else 0

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None


def run_kiosk(
    env: dict[str, str], *args: str, input: str | None = None, timeout: float = 300
) -> str:
    done = subprocess.run(
        kiosk_cmd(*args),
        env=env,
        cwd=ROOT,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"kiosk {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
    return done.stdout


def setup_real(args, tmp: Path, cleanup: list) -> Target:
    import requests

    data = tmp / "real"
    data.mkdir()
    port = free_port()
    env = clean_env(
        {
            "KIOSK_DATA_DIR": str(data),
            "KIOSK_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            **dict(kv.split("=", 1) for kv in args.env),
        }
    )
    server = ServerProc(
        "real",
        kiosk_cmd("serve", "--host", "127.0.0.1", "--port", str(port)),
        env,
        data / "server.log",
        port,
    )
    cleanup.append(server.stop)
    log(
        f"real: starting kiosk serve on {server.url} (data dir {data}; first start imports the demo)"
    )
    server.start(timeout=600)
    if args.playlist:  # the bench group plays what the lobby's LED walls play
        spec = tmp / "group" / "screens.yaml"
        spec.parent.mkdir()
        group = {"name": GROUP, "title": "基准测试大屏", "default_playlist": args.playlist}
        # JSON is YAML: a screens.yaml that only sets the group's default playlist
        spec.write_text(json.dumps({"groups": [group]}, ensure_ascii=False), encoding="utf-8")
        run_kiosk(env, "import", str(spec))
    rows = json.loads(
        run_kiosk(
            env,
            "screens",
            "add",
            "--name",
            "bench",
            "--group",
            GROUP,
            "--kind",
            "led_wall",
            "--count",
            str(args.clients + 1),
            "--json",
        )
    )
    tokens = [r["token"] for r in rows]
    password = f"Bench-{secrets.token_hex(12)}-7x"  # letters and digits, as the policy wants
    run_kiosk(env, "users", "add", "bench-admin", "--role", "admin", input=password + "\n")
    api_token = run_kiosk(env, "tokens", "create", "--user", "bench-admin").strip().splitlines()[-1]
    log(f"real: {len(tokens)} screens added; restarting for a clean baseline")
    server.stop()
    server.start(timeout=120)

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {api_token}"
    session.get(server.url + "/api/v1/alerts", timeout=30).raise_for_status()  # warm + keep-alive

    def trigger(k: int, marker: str) -> int:
        body = {
            "text": f"系统演练 {marker} 请留意叫号屏",
            "level": "warning",
            "groups": [GROUP],
            "expires_in": 600,
        }
        resp = session.post(server.url + "/api/v1/alerts", json=body, timeout=120)
        if resp.status_code != 201:
            raise RuntimeError(f"POST /api/v1/alerts -> {resp.status_code}: {resp.text[:300]}")
        return resp.status_code

    return Target("real", server, tokens[0], tokens[1:], trigger, args)


def setup_bare(
    args, tmp: Path, connect_frame: str, cleanup: list, ping: tuple[float, float] = (25, 20)
) -> Target:
    import requests

    folder = tmp / "bare"
    folder.mkdir()
    port = free_port()
    token = secrets.token_urlsafe(16)
    payloads = folder / "payloads.json"
    payloads.write_text(
        json.dumps({"connect": state_text(connect_frame)}, ensure_ascii=False), encoding="utf-8"
    )
    cmd = [
        sys.executable,
        str(BENCH / "bare_server.py"),
        "--port",
        str(port),
        "--payloads",
        str(payloads),
        "--token",
        token,
        "--max-seconds",
        str(args.max_seconds + 120),
        "--ping-interval",
        str(ping[0]),
        "--ping-timeout",
        str(ping[1]),
    ]
    server = ServerProc("bare", cmd, clean_env({}), folder / "server.log", port)
    cleanup.append(server.stop)
    log(f"bare: starting bench/bare_server.py on {server.url} (ping {ping[0]:g}/{ping[1]:g} s)")
    server.start(timeout=60)
    session = requests.Session()
    session.get(server.url + "/readyz", timeout=30).raise_for_status()

    def trigger(k: int, marker: str) -> int:
        resp = session.post(server.url + "/broadcast", json={"index": k}, timeout=120)
        resp.raise_for_status()
        return resp.status_code

    target = Target("bare", server, token, [token] * args.clients, trigger, args)

    def load(k: int, frame: str) -> None:
        """Hand the bare server payload k before (and outside) the timed broadcast."""
        session.post(
            server.url + "/payload", json={"index": k, "state": state_text(frame)}, timeout=60
        ).raise_for_status()

    target.load = load
    return target


def synthetic_frame(alerts: list[str], screen: dict | None = None) -> str:
    """For --server bare alone: a made-up state of about the real size (no real server needed)."""
    state = {
        "version": secrets.token_hex(8),
        "server_time": "2026-01-01T00:00:00.000Z",
        "timezone": "Asia/Shanghai",
        "hall": {"name": "老城区政务服务中心"},
        "screen": {"group": GROUP, "layout": "led_wall", "kind": "led_wall", **(screen or {})},
        "timeline": [],
        "ticker": ["周六上午延时服务 9:00-12:00"] * 5,
        "items": {
            f"guide:{i}": {
                "kind": "guide",
                "title": "居民身份证换领",
                "html": '<section class="slide">' + "办事指南" * 400 + "</section>",
            }
            for i in range(20)
        },
        "alerts": [
            {"id": i, "text": f"系统演练 {m}", "level": "warning"} for i, m in enumerate(alerts)
        ],
    }
    return STATE_PREFIX + json.dumps(state, ensure_ascii=False, separators=(",", ":")) + "]"
