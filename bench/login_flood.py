"""Login flood against one ``kiosk serve``: does the hall stay responsive? (issue 10)

Before the fix, password hashing ran on the single gevent loop with no per-client limit:
eight connections sending wrong passwords (~9/s) took ``/healthz`` from 4 ms to ~765 ms, and
sixteen delayed an emergency alert from ~60 ms to 3-4 s.

This starts a real server with the demo, connects one LED wall over Socket.IO, and measures,
first idle (the baseline: the same server with nobody attacking) and then while N client
connections from 127.0.0.2 post wrong passwords back to back:

* ``/healthz`` latency from 127.0.0.3 (median, p99) and its ratio to the idle median;
* the time from ``POST /api/v1/alerts`` to the wall receiving the new state (median of R);
* how the flood was answered (429 before any hashing, paused pairs, checked passwords) and
  whether the owner, from 127.0.0.3, still signs in.

Usage: ``python bench/login_flood.py [--connections 8 16] [--seconds 10]``. Prints one table.
No result is asserted here; ``tests/security/test_live_guard.py`` checks the counts.
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
import socketio  # noqa: E402

from tests.live import LiveServer  # noqa: E402
from tests.security.test_live_guard import ATTACKER, OWNER, PASSWORD, From  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def healthz_samples(server: LiveServer, seconds: float) -> list[float]:
    probe = From(server, OWNER)
    out: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.perf_counter()
        status, _, _ = probe.request("GET", "/healthz")
        out.append((time.perf_counter() - t) * 1000)
        assert status == 200
        time.sleep(0.02)
    return out


def alert_latency(server: LiveServer, token: str, states: queue.Queue, rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        while not states.empty():
            states.get_nowait()
        text = f"测试警报 {secrets.token_hex(3)}"
        t = time.perf_counter()
        r = requests.post(server.url + "/api/v1/alerts", timeout=30, json={"text": text, "level": "info"},
                          headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        while True:
            state = states.get(timeout=30)
            if any(a["text"] == text for a in state["alerts"]):
                break
        out.append((time.perf_counter() - t) * 1000)
        requests.delete(f"{server.url}/api/v1/alerts/{r.json()['id']}", timeout=30,
                        headers={"Authorization": f"Bearer {token}"})
        time.sleep(0.2)
    return out


def run(connections: list[int], seconds: float, rounds: int) -> None:
    data = Path(tempfile.mkdtemp(prefix="login-flood-"))
    server = LiveServer(data).start(timeout=120)
    try:
        token = server.api_token("bench-api")
        server.kiosk("users", "add", "owner", "--role", "admin", input=PASSWORD + "\n")
        wall = next(s for s in server.screens() if s["kind"] == "led_wall")
        states: queue.Queue = queue.Queue()
        client = socketio.Client(reconnection=False)
        client.on("state", lambda d: states.put(d), namespace="/display")
        client.connect(server.url, namespaces=["/display"], transports=["websocket"],
                       auth={"token": wall["token"]}, wait_timeout=10)
        states.get(timeout=10)
        idle_h = healthz_samples(server, seconds)
        idle_a = alert_latency(server, token, states, rounds)
        idle_med = statistics.median(idle_h)
        rows = [("idle", 0, idle_h, idle_a, {}, True)]
        for n in connections:
            answers: list[int] = []
            stop = threading.Event()

            def flood(stop: threading.Event = stop, answers: list[int] = answers) -> None:
                attacker = From(server, ATTACKER)
                while not stop.is_set():
                    answers.append(attacker.login("owner", secrets.token_hex(6)))

            threads = [threading.Thread(target=flood, daemon=True) for _ in range(n)]
            for t in threads:
                t.start()
            time.sleep(1)
            h = healthz_samples(server, seconds)
            a = alert_latency(server, token, states, rounds)
            owner_ok = From(server, OWNER).login("owner", PASSWORD) == 302
            stop.set()
            for t in threads:
                t.join(timeout=60)
            counts = {code: answers.count(code) for code in sorted(set(answers))}
            rows.append((f"flood x{n}", n, h, a, counts, owner_ok))
            # a new attacker address for the next round (the old one is rate limited)
            time.sleep(1)
        client.disconnect()
    finally:
        server.stop()
    print(f"# login flood · {os.cpu_count()} CPUs · Python {platform.python_version()} · {platform.platform()}")
    print(f"{'':12} {'healthz p50':>11} {'p99':>8} {'×idle p50':>9} {'alert p50':>10} {'p99':>8}  "
          f"{'owner':>5}  answers to the flood")
    for name, _, h, a, counts, owner_ok in rows:
        print(f"{name:12} {statistics.median(h):9.1f}ms {pct(h, .99):6.1f}ms "
              f"{statistics.median(h) / idle_med:8.2f}× {statistics.median(a):8.1f}ms {pct(a, .99):6.1f}ms  "
              f"{'ok' if owner_ok else 'NO':>5}  {counts or ''}")
    print("answers: 429 = refused by the per-client limit before hashing; 200 = a page "
          "(wrong password, or paused for this address); 302 would be a sign-in")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 16])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    run(args.connections, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
