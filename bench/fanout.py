"""Fan-out benchmark: one alert pushed to N screens, real ``kiosk serve`` vs bare Flask-SocketIO.

    .venv/bin/python bench/fanout.py                 # 2000 clients, 3 alerts per server
    .venv/bin/python bench/fanout.py --quick         # 200 clients, smoke run
    .venv/bin/python bench/fanout.py --json bench/results/fanout.json

For each server, N real Socket.IO clients (``socketio.AsyncClient``, websocket transport,
spread over a few worker processes) connect to ``/display`` as screens of one group; then
one alert is posted and every client's receive time of the ``state`` that carries it is
measured from just before the HTTP request is sent. Memory per connection is
(server RSS with N clients − RSS before the first client) / N, with psutil.

1. real: ``kiosk serve`` on a free port with a fresh temporary data dir (first start imports
   the demo content), the bench group given the lobby's playlist, ``kiosk screens add
   --count N+1 --group bench --kind led_wall``, an admin user and API token; the server is
   restarted so the baseline RSS is that of a freshly started server. ``POST /api/v1/alerts``
   is the trigger. The clients hand back the alert frame exactly as received; one extra raw
   websocket (the monitor, not counted) records the on-connect frame and the handshake.
2. bare: ``bench/bare_server.py`` (Flask-SocketIO + gevent + gevent-websocket, no database,
   the real server's ping settings); before its k-th ``POST /broadcast`` it is given the real
   server's k-th frame, so it emits the same payload bytes to a room of all clients.

Both servers stay up with their N clients each and the alerts alternate real, bare, real…
so that the noise of a shared machine falls on both alike; clients and servers share the
machine (127.0.0.1 only). The target: real/bare ≤ 1.2 for p99 latency and for memory per
connection, with every connected client receiving every alert.

This module is the entry point (options, the run with its clean-up, the report); the parts
are its siblings in bench/: fanout_clients (the client worker processes), fanout_target
(one server under test: monitor, connecting, firing an alert, results), fanout_servers (the
server processes and the set-up of the real and the bare server) and fanout_profile (py-spy,
machine info). bench/ is this script's directory, hence first on sys.path: plain imports.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import resource
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fanout_profile import machine, start_profile, stop_profile
from fanout_servers import setup_bare, setup_real, synthetic_frame
from fanout_target import Target, busy_percent, log

TARGET = 1.2


def run_bench(args, tmp: Path, markers: list[str], cleanup: list) -> list[dict]:
    """Both servers up at once; the alerts alternate real, bare, real, bare… so that the
    machine's noise (other work on the same cores) falls on both alike."""
    targets: list[Target] = []
    real = bare = None
    if args.server in ("both", "real"):
        real = setup_real(args, tmp, cleanup)
        cleanup.append(real.close)
        targets.append(real)
        connect_frame = real.open_monitor(cleanup)
        # the baseline keeps the real server's engine.io keep-alive (pings cost CPU per screen)
        shake = real.monitor.handshake
        ping = (shake.get("pingInterval", 25000) / 1000, shake.get("pingTimeout", 20000) / 1000)
        log(f"real: engine.io ping interval/timeout {ping[0]:g}/{ping[1]:g} s")
    else:
        connect_frame = synthetic_frame([], {"id": 1, "name": "bench-1"})
        ping = (25.0, 20.0)
    if args.server in ("both", "bare"):
        bare = setup_bare(args, tmp, connect_frame, cleanup, ping)
        cleanup.append(bare.close)
        targets.append(bare)
        bare.open_monitor(cleanup)
    for t in targets:
        t.baseline()
    for t in targets:
        t.connect(cleanup)
    quiet = [pid for t in targets for pid in t.pids()]
    idle = busy_percent(quiet, 3.0)
    below = max(30.0, idle + 25.0)
    log(f"all clients connected; the bench's processes idle at {idle:.0f}% of a core")
    profiler = start_profile(args, real) if args.profile and real is not None else None
    if profiler is not None:
        cleanup.append(lambda: stop_profile(profiler, args))
    for k, marker in enumerate(markers):
        if real is not None:
            real.fire(k, marker, quiet, below)
        if bare is not None:
            bare.load(k, real.frames[k] if real is not None else synthetic_frame(markers[: k + 1]))
            bare.fire(k, marker, quiet, below)
        if k + 1 < len(markers):
            time.sleep(args.pause)
    if profiler is not None:
        stop_profile(profiler, args)
    results = []
    for t in targets:
        t.close()
        results.append(t.result())
    if real is not None and bare is not None:
        same = [a == b for a, b in zip(real.frames, bare.frames, strict=True)]
        results[-1]["payload_identical"] = all(same)
        log(f"bare: broadcast frames byte-identical to the real server's: {all(same)}")
    return results


def fmt(v: float, digits: int = 0) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


def report(results: list[dict], args, info: dict) -> dict:
    print()
    loads = [rep["loadavg_1min"] for r in results for rep in r["repeats"]]
    print(
        f"Fan-out of one alert to {args.clients} screens (median of {args.repeat}; {info['nproc']} cores, "
        f"Python {info['python']}; 1-min load average at the alerts {min(loads):.1f}-{max(loads):.1f})"
    )
    head = (
        f"{'server':<6} {'connected':>11} {'received':>9} {'dropped':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'KiB/conn':>9}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{r['server']:<6} {r['connected']:>5}/{r['clients']:<5} {r['received_min']:>9} "
            f"{r['dropped']:>8} {fmt(r['p50_ms']):>8} {fmt(r['p99_ms']):>8} {fmt(r['max_ms']):>8} {fmt(r['kib_per_conn'], 1):>9}"
        )
    summary: dict[str, Any] = {}
    by = {r["server"]: r for r in results}
    if "real" in by and "bare" in by:
        real, bare = by["real"], by["bare"]
        p99_ratio = real["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("nan")
        mem_ratio = (
            real["kib_per_conn"] / bare["kib_per_conn"] if bare["kib_per_conn"] else float("nan")
        )
        delivered = all(r["received_min"] == r["connected"] == r["clients"] for r in results)
        ok = p99_ratio <= TARGET and mem_ratio <= TARGET and delivered
        best_ratio = (
            real["p99_ms_best"] / bare["p99_ms_best"] if bare["p99_ms_best"] else float("nan")
        )
        paired = statistics.median(
            a["p99_ms"] / b["p99_ms"] for a, b in zip(real["repeats"], bare["repeats"], strict=True)
        )
        post = f"{real['post_ms']:.0f} ms vs {bare['post_ms']:.0f} ms"
        idle = f"{real.get('idle_cpu_percent', float('nan')):.0f}% vs {bare.get('idle_cpu_percent', float('nan')):.0f}%"
        print(
            f"ratio real/bare: p99 {p99_ratio:.2f}, memory per connection {mem_ratio:.2f}   (target each ≤ {TARGET})"
        )
        print(
            f"  also: p99 ratio best-of-{args.repeat} {best_ratio:.2f}, median of the {args.repeat} "
            f"back-to-back pairs {paired:.2f}; trigger HTTP request {post}; "
            f"idle CPU with all connected {idle} of a core"
        )
        if not delivered:
            print("not every client connected and received the alert on both servers (see above)")
        for r in results:
            if r["dropped"]:
                print(
                    f"  {r['server']}: {r['dropped']} of {r['connected']} clients were dropped during the "
                    "run; its latencies cover only the clients still connected"
                )
        print(
            f"{'PASS' if ok else 'FAIL'}: p99 {p99_ratio:.2f} {'≤' if p99_ratio <= TARGET else '>'} {TARGET}, "
            f"memory {mem_ratio:.2f} {'≤' if mem_ratio <= TARGET else '>'} {TARGET}"
            + ("" if delivered else ", delivery incomplete")
        )
        summary = {
            "p99_ratio": p99_ratio,
            "memory_ratio": mem_ratio,
            "p99_best_ratio": best_ratio,
            "p99_paired_ratio_median": paired,
            "target": TARGET,
            "all_delivered": delivered,
            "pass": ok,
        }
    else:
        print("(one server only: no ratios)")
    return summary


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Fan-out benchmark: real kiosk serve vs bare Flask-SocketIO."
    )
    p.add_argument(
        "--clients", type=int, default=2000, help="screens connected to each server (2000)"
    )
    p.add_argument("--quick", action="store_true", help="smoke run: 200 clients")
    p.add_argument(
        "--repeat", type=int, default=3, help="alerts per server; medians are reported (3)"
    )
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument(
        "--server",
        choices=("both", "real", "bare"),
        default="both",
        help="bare alone uses a synthetic state (for working on the harness)",
    )
    p.add_argument(
        "--playlist",
        default="lobby-day",
        help="default playlist of the bench group (demo's lobby LED walls); '' for none",
    )
    p.add_argument(
        "--workers", type=int, default=0, help="client processes (default: 1 per 500, at least 2)"
    )
    p.add_argument(
        "--batch", type=int, default=100, help="connections in flight at once, over all workers"
    )
    p.add_argument("--connect-timeout", type=float, default=30, help="per client connect (s)")
    p.add_argument(
        "--connect-phase-timeout", type=float, default=600, help="all clients connecting (s)"
    )
    p.add_argument(
        "--collect-timeout", type=float, default=60, help="wait for the alert to arrive (s)"
    )
    p.add_argument(
        "--idle-seconds",
        type=float,
        default=None,
        help="measure each server's idle CPU with N connected over this window "
        "(default 25 s = one ping interval; 5 with --quick; 0 = skip)",
    )
    p.add_argument("--pause", type=float, default=2, help="between alerts (s)")
    p.add_argument("--full-parse", action="store_true", help="clients parse every state as JSON")
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra KIOSK_* setting for the real server (repeatable)",
    )
    p.add_argument(
        "--profile",
        metavar="PATH",
        help="py-spy the real server during the alerts; collapsed stacks to PATH (perturbs timing)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dir (data dir, server logs)")
    p.add_argument("--max-seconds", type=float, default=1800, help="hard limit for the whole run")
    args = p.parse_args(argv)
    if args.quick:
        args.clients = 200
    if args.idle_seconds is None:
        args.idle_seconds = 5.0 if args.quick else 25.0
    if args.clients < 1 or args.repeat < 1:
        p.error("--clients and --repeat must be ≥ 1")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * args.clients + 1024
    if soft < need:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    def on_alarm(signum, frame):
        raise TimeoutError(f"benchmark exceeded --max-seconds {args.max_seconds:.0f}")

    # SIGINT explicitly too: a background job started by a script inherits it ignored
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(args.max_seconds))

    info = machine()
    run_id = secrets.token_hex(3)
    markers = [f"BENCH-{run_id}-R{k + 1}" for k in range(args.repeat)]
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-fanout-"))
    cleanup: list = []
    status = 1
    try:
        results = run_bench(args, tmp, markers, cleanup)
        summary = report(results, args, info)
        if args.json:
            out = {
                "benchmark": "fanout",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "args": {k: v for k, v in vars(args).items() if k != "json"},
                "machine": info,
                "summary": summary,
                "results": [{k: v for k, v in r.items() if not k.startswith("_")} for r in results],
            }
            path = Path(args.json)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
            log(f"results written to {path}")
        status = 0 if summary.get("pass", True) else 2
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc}); stopping everything")
        status = 130
    except Exception as exc:  # noqa: BLE001
        log(f"FAILED: {type(exc).__name__}: {exc}")
        status = 1
    finally:
        signal.alarm(0)
        # a second Ctrl-C must not cut the cleanup short
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for step in reversed(cleanup):
            with contextlib.suppress(Exception):
                step()
        if args.keep or status == 1:
            log(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
