"""CPU-heavy work off the gevent loop, with bounded concurrency.

``kiosk serve`` runs every screen, kiosk and staff request on one gevent loop. A 60 ms scrypt
check or a 2 s spreadsheet parse on that loop stalls all of them: eight clients sending wrong
passwords took ``/healthz`` from 4 ms to ~765 ms and delayed an emergency alert by seconds
(issue 10). :func:`run_cpu` hands such work to gevent's native thread pool, so the loop keeps
serving while it runs: scrypt releases the GIL for its whole run, and pure-Python parsing is
preempted every few milliseconds (``sys.getswitchinterval``). At most ``CPU_WORKERS`` jobs run
at once and at most ``CPU_QUEUE`` wait; beyond that :class:`Busy` is raised at once, so a flood
is answered "系统繁忙" in microseconds instead of queueing for minutes.

Outside a gevent server (tests, the CLI) the work simply runs in the caller's thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Busy(RuntimeError):
    """More CPU-heavy requests are waiting than the server takes on; try again shortly."""


class CpuPool:
    """A bounded gate in front of gevent's thread pool (one per process)."""

    def __init__(self, workers: int = 2, queue: int = 16):
        self.workers, self.queue = max(1, workers), max(0, queue)
        self._lock = threading.Lock()
        self._admitted = 0  # running + waiting
        self._pool = None

    def _threadpool(self):
        if self._pool is None:
            from gevent.threadpool import ThreadPool

            self._pool = ThreadPool(self.workers)
        return self._pool

    def run(self, fn: Callable[..., T], args: tuple, kwargs: dict, *, refuse: bool = True) -> T:
        if not _under_gevent():
            return fn(*args, **kwargs)
        with self._lock:
            if refuse and self._admitted >= self.workers + self.queue:
                raise Busy("too many CPU-heavy requests at once")
            self._admitted += 1
        try:
            return self._threadpool().apply(fn, args, kwargs)
        finally:
            with self._lock:
                self._admitted -= 1

    @property
    def admitted(self) -> int:
        return self._admitted


def _under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("socket")


_POOL = CpuPool()


def configure(workers: int, queue: int) -> None:
    """Called once by ``create_app`` from ``KIOSK_CPU_WORKERS`` / ``KIOSK_CPU_QUEUE``."""
    global _POOL
    if (_POOL.workers, _POOL.queue) != (workers, queue):
        _POOL = CpuPool(workers, queue)


def run_cpu(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` off the event loop; raises :class:`Busy` when full."""
    return _POOL.run(fn, args, kwargs)


def run_cpu_waiting(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Like :func:`run_cpu`, but waits for a worker instead of refusing: for the server's own
    background work (rendering slides for the publisher), which is bounded by the content and
    must not fail because visitors keep the pool busy — a refused render would leave a screen
    without its slide."""
    return _POOL.run(fn, args, kwargs, refuse=False)
