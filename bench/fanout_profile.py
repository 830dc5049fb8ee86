"""Context around a ``bench/fanout.py`` run: py-spy profiling and the machine it ran on.

Neither is part of the measurement: ``--profile`` samples the real server with py-spy
during the alerts (which perturbs the numbers, hence optional) and prints where its time
went; ``machine`` records the cores, memory, Python and library versions for the report
and the ``--json`` output, so numbers from different machines are not compared blindly.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from fanout_target import Target, log


def start_profile(args, real: Target) -> subprocess.Popen | None:
    """py-spy on the real server during the alerts (its sampling perturbs the numbers)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        log("--profile: py-spy not found (pip install py-spy); not profiling")
        return None
    out = Path(args.profile)
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        spy,
        "record",
        "--pid",
        str(real.server.proc.pid),
        "--rate",
        "200",
        "--format",
        "raw",
        "--output",
        str(out),
        "--nonblocking",
        "--duration",
        str(int(args.max_seconds)),
    ]
    log(f"profiling the real server with py-spy into {out}")
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    time.sleep(1)
    return proc


def stop_profile(proc: subprocess.Popen, args) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        summarize_profile(Path(args.profile))


def summarize_profile(path: Path, top: int = 25) -> None:
    """Print where the real server's samples went: by own (self) frame and by kiosk/ frame."""
    if not path.exists():
        return
    own: dict[str, int] = {}
    ours: dict[str, int] = {}
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        total += n
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for frame in {f for f in frames if "/kiosk/" in f or "(kiosk/" in f}:
            ours[frame] = ours.get(frame, 0) + n
    if not total:
        return
    print(f"\npy-spy: {total} samples of the real server while busy ({path})")
    print("  own time (leaf frame):")
    for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {100 * n / total:5.1f}%  {frame}")
    print("  time inside kiosk/ code (inclusive):")
    for frame, n in sorted(ours.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {100 * n / total:5.1f}%  {frame}")


def machine() -> dict:
    import psutil

    versions = {}
    for mod in (
        "flask",
        "flask_socketio",
        "socketio",
        "engineio",
        "gevent",
        "geventwebsocket",
        "aiohttp",
    ):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            dist = {
                "flask": "Flask",
                "flask_socketio": "Flask-SocketIO",
                "socketio": "python-socketio",
                "engineio": "python-engineio",
                "gevent": "gevent",
                "geventwebsocket": "gevent-websocket",
                "aiohttp": "aiohttp",
            }[mod]
            versions[dist] = version(dist)
    return {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }
