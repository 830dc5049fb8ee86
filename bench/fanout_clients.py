"""The screens of ``bench/fanout.py``: Socket.IO client worker processes and their pool.

The clients are the measuring instrument, so they live apart from the servers' side of the
bench: N real ``socketio.AsyncClient``s (websocket transport) spread over a few worker
processes, each running one asyncio loop, driven by the controller over a pipe with
``(command, *args)`` tuples (connect, arm, collect, disconnect, quit). Each client records
``time.time()`` when the first ``state`` carrying the armed alert's marker arrives.

The workers are started with the ``spawn`` method, so ``worker_main`` must be importable
by name in a fresh interpreter: this module imports nothing from its siblings and nothing
heavy at import time (``socketio``/``engineio`` are imported inside the worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import math
import multiprocessing as mp
import os
import signal
import time
from typing import Any

NAMESPACE = "/display"


class LazyJson:
    """JSON for the bench clients: ``state`` events reach the handler as their raw JSON text.

    The handler only looks for the alert's marker, so the clients skip parsing a large state
    2,000 times per broadcast on the same 2 cores as the server (``--full-parse`` parses).
    """

    @staticmethod
    def dumps(obj, *args, **kwargs):
        return json.dumps(obj, *args, **kwargs)

    @staticmethod
    def loads(text, *args, **kwargs):
        if isinstance(text, str) and text.startswith('["state",'):
            return ["state", text[9:-1]]
        return json.loads(text, *args, **kwargs)


class CompactJson:
    """The servers' encoder settings (UTF-8, no spaces): re-encoding a parsed state gives its bytes."""

    @staticmethod
    def dumps(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def client_class():
    """``socketio.AsyncClient`` whose engine.io layer tolerates a late server ping like a browser.

    python-engineio's write loop gives up ("packet queue is empty, aborting") when it has had
    nothing to send for max(pingInterval, pingTimeout) + 5 s = 30 s, i.e. as soon as a server
    ping is 5 s late; the JS client waits pingInterval + pingTimeout = 45 s. While a server
    pushes 2,000 × 100 KiB its pings are late, so without this the bench would count
    client-side aborts as lost screens. (With 25/20 s its read timeout becomes 65 s instead of
    45 s; with short intervals, e.g. 3/2 s, nothing changes.)
    """
    import engineio
    import socketio

    class BrowserLikeEngineIO(engineio.AsyncClient):
        @property
        def ping_timeout(self):
            return self._bench_ping_timeout

        @ping_timeout.setter
        def ping_timeout(self, value):
            if value is not None and getattr(self, "ping_interval", None) is not None:
                value = max(value, value + self.ping_interval - 5)  # never stricter
            self._bench_ping_timeout = value

    class BenchClient(socketio.AsyncClient):
        def _engineio_client_class(self):
            return BrowserLikeEngineIO

    return BenchClient


def carries(data: Any, marker: str) -> bool:
    if isinstance(data, str):
        return marker in data
    if isinstance(data, dict):
        return any(
            marker in str(a.get("text", ""))
            for a in data.get("alerts") or ()
            if isinstance(a, dict)
        )
    return False


class Worker:
    """Holds a slice of the clients; obeys (command, *args) tuples from the controller."""

    def __init__(self, conn, wid: int, url: str, tokens: list[str], opts: dict):
        self.conn, self.wid, self.url, self.tokens, self.opts = conn, wid, url, tokens, opts
        self.clients: dict[int, Any] = {}
        self.received: dict[int, float] = {}
        self.marker: str | None = None
        self.expected = 0
        self.all_in: asyncio.Event | None = None
        self.disconnects = 0
        self.reasons: dict[str, int] = {}  # why clients were dropped (python-socketio's reason)
        self.lost: set[int] = set()  # dropped during the current round, before receiving
        self.sample: str | None = None  # the alert's state as received (JSON text)
        self.closing = False
        self.client_class = client_class()

    async def run(self) -> None:
        self.all_in = asyncio.Event()
        loop = asyncio.get_running_loop()
        parent = os.getppid()
        deadline = time.monotonic() + self.opts["max_seconds"]
        try:
            while time.monotonic() < deadline and os.getppid() == parent:
                if not await loop.run_in_executor(None, self.conn.poll, 1.0):
                    continue
                cmd, *args = self.conn.recv()
                if cmd == "quit":
                    break
                self.conn.send(await getattr(self, "cmd_" + cmd)(*args))
        finally:
            await self.cmd_disconnect()

    def _client(self, index: int):
        sio = self.client_class(
            reconnection=False,
            handle_sigint=False,
            json=None if self.opts["full_parse"] else LazyJson,
        )

        async def on_state(data):
            t = time.time()
            if self.marker is None or index in self.received or not carries(data, self.marker):
                return
            self.received[index] = t
            if self.sample is None:
                self.sample = data if isinstance(data, str) else CompactJson.dumps(data)
            self._check_done()

        async def on_disconnect(*args):
            if not self.closing:
                self.disconnects += 1
                reason = str(args[0]) if args else "?"
                self.reasons[reason] = self.reasons.get(reason, 0) + 1
                if self.marker is not None and index not in self.received:
                    self.lost.add(index)  # will never receive: do not wait for it
                    self._check_done()

        sio.on("state", on_state, namespace=NAMESPACE)
        sio.on("disconnect", on_disconnect, namespace=NAMESPACE)
        return sio

    async def cmd_connect(self, concurrency: int, timeout: float):
        sem = asyncio.Semaphore(concurrency)
        errors: list[str] = []

        async def one(index: int, token: str) -> None:
            async with sem:
                err = ""
                for attempt in range(2):
                    sio = self._client(index)
                    try:
                        await asyncio.wait_for(
                            sio.connect(
                                self.url,
                                auth={"token": token},
                                namespaces=[NAMESPACE],
                                transports=["websocket"],
                                wait_timeout=timeout,
                            ),
                            timeout + 5,
                        )
                        self.clients[index] = sio
                        return
                    except Exception as exc:  # noqa: BLE001 - reported, not raised
                        err = f"{type(exc).__name__}: {exc}"[:200]
                        with contextlib.suppress(Exception):
                            await asyncio.wait_for(sio.disconnect(), 5)
                        await asyncio.sleep(0.5 * (attempt + 1))
                errors.append(err)

        t = time.monotonic()
        await asyncio.gather(*(one(i, tok) for i, tok in enumerate(self.tokens)))
        return ("connected", len(self.clients), errors, time.monotonic() - t)

    def _check_done(self) -> None:
        if len(self.received) + len(self.lost) >= self.expected:
            self.all_in.set()

    def _live(self) -> int:
        return sum(1 for c in self.clients.values() if c.connected and NAMESPACE in c.namespaces)

    async def cmd_arm(self, marker: str):
        # The clients are the measuring instrument: no cyclic GC pause of theirs inside the
        # measured window (collected now, re-enabled when the alert is collected).
        gc.collect()
        gc.disable()
        self.marker, self.received, self.lost, self.sample = marker, {}, set(), None
        self.expected = self._live()
        self.all_in.clear()
        if self.expected == 0:
            self.all_in.set()
        return ("armed", self.expected, self.disconnects)

    async def cmd_collect(self, deadline: float):
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.all_in.wait(), max(0.0, deadline - time.time()))
        times = list(self.received.values())
        self.marker = None
        gc.enable()
        return (
            "result",
            times,
            self.expected,
            self.disconnects,
            self.sample,
            len(self.lost),
            self.reasons,
        )

    async def cmd_disconnect(self):
        gc.enable()
        self.closing = True
        clients, self.clients = list(self.clients.values()), {}
        if clients:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True), 30
                )
        self.closing = False
        return ("disconnected", len(clients))


def worker_main(conn, wid: int, url: str, tokens: list[str], opts: dict) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the controller handles Ctrl-C and stops us
    try:
        asyncio.run(Worker(conn, wid, url, tokens, opts).run())
    except Exception as exc:  # noqa: BLE001
        with contextlib.suppress(Exception):
            conn.send(("error", f"worker {wid}: {type(exc).__name__}: {exc}"))


class WorkerPool:
    """The client worker processes of one server, each with a slice of the tokens.

    ``spawn``, not ``fork``: the controller holds sockets, threads and a monitor that a forked
    child must not inherit; ``worker_main`` is imported by name from this module instead.
    """

    def __init__(self, url: str, tokens: list[str], n_workers: int, opts: dict):
        ctx = mp.get_context("spawn")
        self.items: list[tuple[Any, Any]] = []
        n_workers = max(1, min(n_workers, len(tokens)))
        size = math.ceil(len(tokens) / n_workers)
        for wid in range(n_workers):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=worker_main,
                args=(child, wid, url, tokens[wid * size : (wid + 1) * size], opts),
                daemon=True,
                name=f"bench-client-{wid}",
            )
            proc.start()
            child.close()
            self.items.append((proc, parent))

    def ask(self, cmd: tuple, timeout: float) -> list[tuple]:
        """Send one command to every worker, then gather every reply (bounded by timeout)."""
        for _, conn in self.items:
            conn.send(cmd)
        deadline = time.monotonic() + timeout
        replies = []
        for proc, conn in self.items:
            left = deadline - time.monotonic()
            if left <= 0 or not conn.poll(left):
                raise TimeoutError(
                    f"client worker {proc.name} did not answer {cmd[0]!r} in {timeout:.0f}s"
                )
            reply = conn.recv()
            if reply[0] == "error":
                raise RuntimeError(reply[1])
            replies.append(reply)
        return replies

    def close(self) -> None:
        for proc, conn in self.items:
            with contextlib.suppress(Exception):
                if proc.is_alive():
                    conn.send(("quit",))
        deadline = time.monotonic() + 35
        for proc, _ in self.items:
            proc.join(max(0.1, deadline - time.monotonic()))
        for proc, _ in self.items:
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
        self.items = []
