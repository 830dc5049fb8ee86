"""The embedded SQLite database: write-ahead log and NORMAL sync on every connection.

Under gevent a SQLite commit blocks the whole process (the driver is C, not cooperative).
With SQLite's default rollback journal and FULL sync a commit waits for two or three
fsyncs — 5–20 ms each here, more on a busy SD card or a virtual disk — and during that
time no screen gets a byte: an alert's own commits sat in front of its fan-out. In WAL mode
with ``synchronous=NORMAL`` a commit appends to the log and syncs only at checkpoints; a
power cut can lose the last moments of writes but never corrupts the database, and readers
(screens connecting, the panel) no longer wait for a writer. The same pair is what Rails 8
and many embedded deployments set by default; see https://sqlite.org/wal.html.
The data dir must be on a local disk (WAL needs shared memory): documented in operations.md.
"""

from __future__ import annotations

from sqlalchemy import Engine, event

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def tune(engine: Engine) -> None:
    """Apply :data:`PRAGMAS` to each new connection of a SQLite ``engine`` (others: no-op)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()
