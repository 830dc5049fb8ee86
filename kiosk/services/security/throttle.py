"""The login throttle: wrong passwords counted per (client address, account name).

Answers "lockout as a weapon" (issue 10): five wrong passwords used to lock any account,
``admin`` included, for 15 minutes, repeatable forever, and the right password was refused
meanwhile. Now the lock belongs to the client that made the mistakes: after
``MAX_FAILURES`` wrong passwords in a row that client waits ``FIRST_LOCK`` for that name,
and every further wrong password doubles the wait, up to ``MAX_LOCK``; the owner signing in
from another address is not affected. A right password (from that client), an admin's 解锁
(for every client) or ``FORGET_AFTER`` without a mistake clears the count.

Rows live in the database (``LoginThrottle``), so the count holds across server processes
and restarts. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import LoginThrottle
from ..clock import SKEW, from_the_future

MAX_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Failure:
    failures: int
    locked_until: datetime | None

    @property
    def attempts_left(self) -> int:
        return max(0, MAX_FAILURES - self.failures)


def lock_length(locks: int) -> timedelta:
    """1, 2, 4, 8, 15, 15, … minutes for the 1st, 2nd, … lock since the last success."""
    return min(FIRST_LOCK * (2 ** max(0, locks - 1)), MAX_LOCK)


def _row(session: Session, client: str, name: str) -> LoginThrottle | None:
    return session.scalar(select(LoginThrottle).where(LoginThrottle.client == client,
                                                      LoginThrottle.name == name))


def _lock_end(row: LoginThrottle | None, now: datetime) -> datetime | None:
    """The end of the row's pause, or None when it is over. A pause ending more than
    ``MAX_LOCK`` from now was set before the clock went back: it is over too (no pause may
    last longer than MAX_LOCK, whatever the clock did)."""
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    if row.locked_until - now > MAX_LOCK + SKEW:
        return None
    return row.locked_until


def locked_until(session: Session, client: str, name: str, now: datetime) -> datetime | None:
    """When this client may try this name again, or None when it may now."""
    return _lock_end(_row(session, client, name), now)


def record_failure(session: Session, client: str, name: str, now: datetime) -> Failure:
    row = _row(session, client, name)
    if row is not None and (now - row.last_failure_at > FORGET_AFTER or from_the_future(row.last_failure_at, now)):
        row.failures, row.locks, row.locked_until = 0, 0, None  # forgotten (or counted by a clock since set back)
    if row is None:
        try:
            with session.begin_nested():
                row = LoginThrottle(client=client, name=name, failures=0, locks=0, last_failure_at=now)
                session.add(row)
        except IntegrityError:  # the same client's other request created it a moment ago
            row = _row(session, client, name)
            assert row is not None
    # counted in SQL, so that two wrong passwords sent at the same moment both count
    row.failures = LoginThrottle.failures + 1
    row.last_failure_at = now
    session.flush()
    session.refresh(row, ["failures", "locks"])
    if row.failures >= MAX_FAILURES:
        row.locks += 1
        row.locked_until = now + lock_length(row.locks)
        session.flush()
    return Failure(row.failures, row.locked_until)


def record_success(session: Session, client: str, name: str) -> None:
    session.execute(delete(LoginThrottle).where(LoginThrottle.client == client,
                                                LoginThrottle.name == name))


def unlock(session: Session, name: str) -> int:
    """An admin's 解锁: every client may try this name again at once; returns rows cleared."""
    return session.execute(delete(LoginThrottle).where(LoginThrottle.name == name)).rowcount or 0


@dataclass(frozen=True)
class Summary:
    """What the 用户 page shows for one name."""

    failures: int  # the most wrong passwords in a row from one client
    locked_clients: list[str]
    until: datetime | None


def summaries(session: Session, now: datetime) -> dict[str, Summary]:
    found: dict[str, tuple[int, list[str], datetime | None]] = {}
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.last_failure_at > now - FORGET_AFTER))
    for row in rows:
        failures, clients, until = found.get(row.name, (0, [], None))
        end = _lock_end(row, now)
        if end is not None:
            clients = [*clients, row.client]
            until = max(until, end) if until else end
        found[row.name] = (max(failures, row.failures), clients, until)
    return {name: Summary(*v) for name, v in found.items()}


def prune(session: Session, now: datetime) -> int:
    """Forget counts older than a day (the nightly prune job calls this)."""
    return session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - FORGET_AFTER)).rowcount or 0
