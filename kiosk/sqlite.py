"""The embedded SQLite database: write-ahead log, NORMAL sync, and lock waits that let the
other greenlets run.

Under gevent a SQLite call blocks the whole process (the driver is C, not cooperative).
With SQLite's default rollback journal and FULL sync a commit waits for two or three
fsyncs — 5–20 ms each here, more on a busy SD card or a virtual disk — and during that
time no screen gets a byte: an alert's own commits sat in front of its fan-out. In WAL mode
with ``synchronous=NORMAL`` a commit appends to the log and syncs only at checkpoints; a
power cut can lose the last moments of writes but never corrupts the database, and readers
(screens connecting, the panel) no longer wait for a writer. The same pair is what Rails 8
and many embedded deployments set by default; see https://sqlite.org/wal.html.
The data dir must be on a local disk (WAL needs shared memory): documented in operations.md.

**Waiting for another writer.** When another connection holds the write lock (``kiosk
import`` in a long transaction, a ``sqlite3`` shell left in ``BEGIN IMMEDIATE``), SQLite's
own busy handler sleeps *inside C*: under gevent that froze every screen, the panel and
``/healthz`` for the whole busy timeout (measured: 14.6 s for one kiosk rating, issue 10).
So SQLite's handler is off (``timeout=0``) and :class:`PatientConnection` retries a
statement that got plain ``SQLITE_BUSY`` itself, sleeping with ``time.sleep`` — gevent's
cooperative sleep in ``kiosk serve`` — for at most ``KIOSK_DB_BUSY_SECONDS``. Retrying is
exactly what the busy handler would have done: ``SQLITE_BUSY`` means the lock was not taken
and the statement changed nothing; ``SQLITE_BUSY_SNAPSHOT`` (another writer committed since
this transaction read) is not retried, it can only succeed after a rollback. After the wait
the error goes up unchanged and the request gets 503 数据库繁忙 (kiosk/errors.py).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
DEFAULT_BUSY_SECONDS = 15.0
_BUSY = getattr(sqlite3, "SQLITE_BUSY", 5)
_FIRST_PAUSE, _MAX_PAUSE = 0.002, 0.1  # seconds between tries: fast at first, then 10 a second


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == _BUSY


def _patiently(busy_seconds: float, call: Callable[..., Any], *args: Any) -> Any:
    deadline = None
    pause = _FIRST_PAUSE
    while True:
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            now = time.monotonic()
            deadline = deadline if deadline is not None else now + busy_seconds
            if now >= deadline:
                raise
            time.sleep(min(pause, deadline - now))  # gevent's sleep under `kiosk serve`
            pause = min(pause * 2, _MAX_PAUSE)


class PatientCursor(sqlite3.Cursor):
    """A cursor whose statements wait (cooperatively) for another connection's write lock."""

    connection: PatientConnection

    def execute(self, sql: str, parameters: Any = (), /) -> PatientCursor:
        return _patiently(self.connection.busy_seconds, super().execute, sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> PatientCursor:
        rows = seq_of_parameters if isinstance(seq_of_parameters, list | tuple) else list(seq_of_parameters)
        return _patiently(self.connection.busy_seconds, super().executemany, sql, rows)


class PatientConnection(sqlite3.Connection):
    """The connection class of the embedded database (see the module docstring)."""

    busy_seconds = DEFAULT_BUSY_SECONDS

    def cursor(self, factory: type[sqlite3.Cursor] = PatientCursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:  # type: ignore[override]
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:  # type: ignore[override]
        return self.cursor().executemany(sql, seq_of_parameters)

    def commit(self) -> None:
        # In WAL mode a commit takes no new lock; in rollback-journal mode it may, and a
        # COMMIT that got SQLITE_BUSY stays pending and may be retried (sqlite.org/lang_transaction.html).
        _patiently(self.busy_seconds, super().commit)


def tune(engine: Engine, busy_seconds: float = DEFAULT_BUSY_SECONDS) -> None:
    """Apply :data:`PRAGMAS` and :class:`PatientConnection` to every new connection of a
    SQLite file ``engine`` (others: no-op)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return
    connection_class = type("PatientConnection", (PatientConnection,), {"busy_seconds": float(busy_seconds)})

    @event.listens_for(engine, "do_connect")
    def _patient(_dialect, _record, _cargs, cparams) -> None:
        cparams["factory"] = connection_class
        cparams["timeout"] = 0  # SQLite's own busy handler would sleep in C, holding the loop

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()
