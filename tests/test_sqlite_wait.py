"""The embedded database's patient wait (kiosk/sqlite.py): which busy errors are retried."""

from __future__ import annotations

import sqlite3

import pytest


def test_a_busy_statement_is_retried_until_the_lock_goes_and_a_stale_snapshot_is_not(tmp_path, monkeypatch):
    """Plain SQLITE_BUSY (the lock was not taken, nothing changed) is retried with the
    patient sleep — here the lock is released from inside that sleep, so no time passes —
    while SQLITE_BUSY_SNAPSHOT (another writer committed since this transaction read) goes up
    at once: retrying it could never succeed."""
    from kiosk import sqlite as patient

    path = tmp_path / "w.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (x)")
    holder = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 3 and holder.in_transaction:
            holder.execute("ROLLBACK")  # the other writer finishes while this one waits

    monkeypatch.setattr(patient.time, "sleep", sleep)
    conn = sqlite3.connect(path, timeout=0, factory=type("C", (patient.PatientConnection,), {"busy_seconds": 60.0}))
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    assert len(sleeps) == 3 and conn.execute("SELECT count(*) FROM t").fetchone() == (1,)

    sleeps.clear()
    reader = sqlite3.connect(path, isolation_level=None, timeout=0,
                             factory=type("R", (patient.PatientConnection,), {"busy_seconds": 60.0}))
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # a snapshot …
    setup.execute("INSERT INTO t VALUES (2)")  # … that another writer makes stale
    with pytest.raises(sqlite3.OperationalError) as stale:
        reader.execute("INSERT INTO t VALUES (3)")
    assert stale.value.sqlite_errorcode == 517 and sleeps == []  # SQLITE_BUSY_SNAPSHOT, not waited for
    for c in (reader, conn, holder, setup):
        c.close()
