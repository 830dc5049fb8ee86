"""One server under test in ``bench/fanout.py``, and how one alert is measured on it.

``Target`` ties a server process (``fanout_servers.ServerProc``) to its monitor, its pool of
client workers (``fanout_clients.WorkerPool``) and its results: baseline RSS, connecting the
clients (memory per connection, idle CPU), and ``fire`` — arm the clients, wait until the
bench's own processes have settled, send the trigger, collect every receive time. The
monitor is one raw engine.io websocket per server (not counted as a screen) that records
the handshake and the exact ``state`` frames, so the bare server can be given the real
server's bytes. Kept apart from the set-up of the two servers, which differs per server,
while this part is the same for both.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import statistics
import threading
import time
from typing import TYPE_CHECKING, Any

from fanout_clients import NAMESPACE, WorkerPool

if TYPE_CHECKING:
    from fanout_servers import ServerProc

STATE_PREFIX = '42/display,["state",'


class Monitor:
    """One raw engine.io websocket that records the exact ``state`` frames and the handshake.

    Raw so the frames are the bytes on the wire (what the bare server must re-send) and the
    handshake gives the ping interval/timeout the bare server must copy; it answers pings
    itself and is not counted as a screen.
    """

    def __init__(self, port: int, token: str, max_seconds: float):
        self.url = f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket"
        self.token, self.max_seconds = token, max_seconds
        self.frames: list[str] = []
        self.handshake: dict[str, Any] = {}
        self.cond = threading.Condition()
        self.stopping = threading.Event()
        self.ws = None
        self.thread: threading.Thread | None = None

    def start(self, timeout: float = 30) -> Monitor:
        import websocket

        self.ws = websocket.create_connection(self.url, timeout=timeout, skip_utf8_validation=True)
        opened = self.ws.recv()
        if not opened.startswith("0"):
            raise RuntimeError(f"monitor: unexpected engine.io open {opened[:100]!r}")
        self.handshake = json.loads(opened[1:])  # sid, pingInterval, pingTimeout (ms), …
        self.ws.send(f"40{NAMESPACE}," + json.dumps({"token": self.token}))
        self.ws.settimeout(1.0)
        self.thread = threading.Thread(target=self._loop, name="bench-monitor", daemon=True)
        self.thread.start()
        self.wait(lambda f: True, timeout)  # the on-connect state
        return self

    def _loop(self) -> None:
        import websocket

        deadline = time.monotonic() + self.max_seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except Exception:  # noqa: BLE001 - closed
                break
            if frame == "2":
                with contextlib.suppress(Exception):
                    self.ws.send("3")
            elif frame.startswith(f"44{NAMESPACE},"):
                with self.cond:
                    self.frames.append("ERROR " + frame)
                    self.cond.notify_all()
            elif frame.startswith(STATE_PREFIX):
                with self.cond:
                    self.frames.append(frame)
                    self.cond.notify_all()

    def wait(self, pred, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for frame in self.frames:
                    if frame.startswith("ERROR "):
                        raise RuntimeError(f"monitor refused: {frame}")
                    if pred(frame):
                        return frame
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("monitor: expected state frame did not arrive")
                self.cond.wait(left)

    def close(self) -> None:
        self.stopping.set()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.close(timeout=2)
        if self.thread is not None:
            self.thread.join(5)


def state_text(frame: str) -> str:
    """The JSON text of the state object inside a ``42/display,["state",{…}]`` frame."""
    return frame[len(STATE_PREFIX) : -1]


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def busy_percent(pids: list[int], seconds: float) -> float:
    """The summed CPU use of these processes over `seconds`, in % of one core."""
    import psutil

    procs = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            procs.append(psutil.Process(pid))
            procs[-1].cpu_percent(None)
    time.sleep(seconds)
    total = 0.0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            total += proc.cpu_percent(None)
    return total


def quiesce(pids: list[int], timeout: float = 20.0, below: float = 30.0) -> float:
    """Wait (bounded) until the bench's own processes have settled after the previous alert:
    two 0.25 s samples in a row with their CPU use summed under `below` % of one core (the
    idle level with every client connected, i.e. the keep-alive pings, plus a margin; a
    broadcast takes both cores). Returns the seconds waited."""
    import psutil

    procs = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            procs.append(psutil.Process(pid))
            procs[-1].cpu_percent(None)
    t, calm, deadline = time.monotonic(), 0, time.monotonic() + timeout
    while calm < 2 and time.monotonic() < deadline:
        time.sleep(0.25)
        busy = 0.0
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                busy += proc.cpu_percent(None)
        calm = calm + 1 if busy < below else 0
    return time.monotonic() - t


class Target:
    """One server under test: its process, monitor, client pool and results."""

    def __init__(
        self, label: str, server: ServerProc, monitor_token: str, tokens: list[str], trigger, args
    ):
        self.label, self.server, self.monitor_token, self.tokens = (
            label,
            server,
            monitor_token,
            tokens,
        )
        self.trigger, self.args = trigger, args
        self.monitor: Monitor | None = None
        self.pool: WorkerPool | None = None
        self.repeats: list[dict] = []
        self.frames: list[str] = []
        self.connect_frame = ""
        self.info: dict[str, Any] = {"server": label, "clients": len(tokens)}

    def pids(self) -> list[int]:
        return [self.server.proc.pid] + ([p.pid for p, _ in self.pool.items] if self.pool else [])

    def open_monitor(self, cleanup: list) -> str:
        self.monitor = Monitor(self.server.port, self.monitor_token, self.args.max_seconds)
        cleanup.append(self.monitor.close)
        self.monitor.start()
        self.connect_frame = self.monitor.frames[0]
        return self.connect_frame

    def baseline(self) -> None:
        self.server.quiesce()
        self.info["rss_before_mib"] = self.server.rss() / 2**20

    def connect(self, cleanup: list) -> None:
        args = self.args
        n_workers = args.workers or max(2, math.ceil(len(self.tokens) / 500))
        opts = {"full_parse": args.full_parse, "max_seconds": args.max_seconds + 60}
        self.pool = WorkerPool(self.server.url, self.tokens, n_workers, opts)
        cleanup.append(self.pool.close)
        concurrency = max(1, math.ceil(args.batch / len(self.pool.items)))
        log(
            f"{self.label}: connecting {len(self.tokens)} clients from {len(self.pool.items)} processes "
            f"({args.batch} at a time)"
        )
        replies = self.pool.ask(
            ("connect", concurrency, args.connect_timeout), args.connect_phase_timeout
        )
        connected = sum(r[1] for r in replies)
        errors = [e for r in replies for e in r[2]]
        seconds = max(r[3] for r in replies)
        log(
            f"{self.label}: {connected}/{len(self.tokens)} connected in {seconds:.1f}s"
            + (f"; {len(errors)} failed, e.g. {errors[0]}" if errors else "")
        )
        time.sleep(2)
        self.server.quiesce()
        rss = self.server.rss() / 2**20
        before = self.info["rss_before_mib"]
        kib = (rss - before) * 1024 / connected if connected else float("nan")
        idle = self.server.cpu_percent(args.idle_seconds) if args.idle_seconds > 0 else float("nan")
        log(
            f"{self.label}: RSS {before:.1f} MiB -> {rss:.1f} MiB, {kib:.1f} KiB per connection; "
            f"idle CPU with {connected} connected: {idle:.0f}% of a core"
        )
        self.info.update(
            {
                "connected": connected,
                "connect_failures": len(errors),
                "connect_errors_sample": errors[:5],
                "connect_seconds": round(seconds, 1),
                "workers": len(self.pool.items),
                "rss_connected_mib": rss,
                "kib_per_conn": kib,
                "idle_cpu_percent": round(idle, 1),
            }
        )

    def fire(self, k: int, marker: str, quiet_pids: list[int], quiet_below: float = 30.0) -> dict:
        """Arm the clients, wait for quiet, send the trigger, collect every receive time."""
        args = self.args
        armed = self.pool.ask(("arm", marker), 30)
        expected = sum(r[1] for r in armed)
        waited = quiesce(quiet_pids, below=quiet_below)
        load = os.getloadavg()[0]
        t0 = time.time()
        status = self.trigger(k, marker)
        post_ms = (time.time() - t0) * 1000
        results = self.pool.ask(("collect", t0 + args.collect_timeout), args.collect_timeout + 30)
        lat = sorted((t - t0) * 1000 for r in results for t in r[1])
        # The frame as the clients got it (the monitor, like any screen, may have been dropped).
        sample = next((r[4] for r in results if r[4]), None)
        if sample is not None:
            frame = STATE_PREFIX + sample + "]"
        else:
            frame = self.monitor.wait(lambda f: marker in f, 10)
        self.frames.append(frame)
        rep = {
            "expected": expected,
            "received": len(lat),
            "p50_ms": percentile(lat, 0.50),
            "p99_ms": percentile(lat, 0.99),
            "max_ms": lat[-1] if lat else float("nan"),
            "post_ms": post_ms,
            "post_status": status,
            "dropped_in_round": sum(r[5] for r in results),
            "dropped_total": sum(r[3] for r in results),
            "dropped_reasons": {
                k: sum(r[6].get(k, 0) for r in results) for k in {k for r in results for k in r[6]}
            },
            "frame_bytes": len(frame.encode()),
            "quiesce_s": round(waited, 2),
            "loadavg_1min": round(load, 2),
        }
        self.repeats.append(rep)
        log(
            f"{self.label} #{k + 1}: {rep['received']}/{expected} received, p50 {rep['p50_ms']:.0f} ms, "
            f"p99 {rep['p99_ms']:.0f} ms, max {rep['max_ms']:.0f} ms (HTTP {status} in {post_ms:.0f} ms, "
            f"{rep['frame_bytes'] / 1024:.1f} KiB frame, load {load:.1f})"
            + (
                f"; {rep['dropped_total']} clients dropped so far {rep['dropped_reasons']}"
                if rep["dropped_total"]
                else ""
            )
        )
        return rep

    def close(self) -> None:
        """Idempotent: also the cleanup step after a failure or Ctrl-C."""
        pool, self.pool = self.pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                self.info["rss_after_alerts_mib"] = self.server.rss() / 2**20
            with contextlib.suppress(Exception):
                pool.ask(("disconnect",), 60)
            pool.close()
        if self.monitor is not None:
            self.monitor.close()
        self.server.stop()

    def result(self) -> dict:
        reps = self.repeats

        def med(key: str) -> float:
            return statistics.median(r[key] for r in reps)

        return {
            **self.info,
            "received_min": min(r["received"] for r in reps),
            "dropped": max(r["dropped_total"] for r in reps),
            "expected_min": min(r["expected"] for r in reps),
            "p50_ms": med("p50_ms"),
            "p99_ms": med("p99_ms"),
            "max_ms": med("max_ms"),
            "post_ms": med("post_ms"),
            "p99_ms_best": min(r["p99_ms"] for r in reps),
            "repeats": reps,
            "server_log": str(self.server.log),
        }
