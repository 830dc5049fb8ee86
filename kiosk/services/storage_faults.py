"""Storage faults: the database locked past its wait, the disk full, the database gone.

A person can do nothing about these but wait or call the administrator, and every write is
one transaction that the fault rolled back whole, so they are answered alike everywhere:
a 503 that says so in Chinese (kiosk/errors.py), one log line per request instead of a
traceback, and, for the background loops (presence flush, scheduled jobs) that would
otherwise log the same traceback every few seconds, one line when the fault starts and one
when it is over (:class:`OutageLog`). See docs/operations.md, "Faults".
"""

from __future__ import annotations

import errno
import logging
import time

from sqlalchemy.exc import OperationalError

MESSAGES = {
    "database_busy": "数据库繁忙，本次操作未保存，请稍后再试 (the database is busy: nothing was saved; try again shortly)",
    "disk_full": "服务器存储空间已满，本次操作未保存，请联系系统管理员 "
                 "(the server's disk is full: nothing was saved; tell the administrator)",
    "database_unavailable": "数据库暂时不可用，本次操作未保存，请稍后再试 "
                            "(the database is unavailable: nothing was saved; try again shortly)",
}
_SQLITE_BUSY, _SQLITE_FULL = 5, 13
_PG_BUSY = {"55P03", "40001", "40P01"}  # lock_not_available, serialization_failure, deadlock_detected
_PG_FULL = {"53100"}  # disk_full


def classify(exc: BaseException) -> str | None:
    """A key of :data:`MESSAGES` for a storage fault, or None for any other error."""
    if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
        return "disk_full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else None
    if not isinstance(exc, OperationalError):
        return None
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if (code is not None and code & 0xFF == _SQLITE_BUSY) or state in _PG_BUSY:
        return "database_busy"
    if (code is not None and code & 0xFF == _SQLITE_FULL) or state in _PG_FULL:
        return "disk_full"
    return "database_unavailable"


def reason(exc: BaseException) -> str:
    """The driver's own words on one line (``database is locked``), for the log."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0][:200]


class OutageLog:
    """Logs a recurring task's storage fault once when it starts and once when it is over.

    ``failed(exc)`` returns False for an error that is not a storage fault (the caller logs
    or raises it as before, with its traceback)."""

    def __init__(self, logger: logging.Logger, what: str, then: str = "retrying"):
        self.logger, self.what, self.then = logger, what, then
        self.fault: str | None = None
        self.since = 0.0
        self.failures = 0

    def failed(self, exc: BaseException) -> bool:
        fault = classify(exc)
        if fault is None:
            return False
        self.failures += 1
        if fault != self.fault:
            level = logging.ERROR if fault == "disk_full" else logging.WARNING
            self.logger.log(level, "%s failed (%s: %s): %s", self.what, fault, reason(exc), self.then)
            if self.fault is None:
                self.since = time.monotonic()
            self.fault = fault
        return True

    def worked(self) -> None:
        if self.fault is None:
            return
        self.logger.info("%s works again after %.0f s (%d failed tries, %s)", self.what,
                         time.monotonic() - self.since, self.failures, self.fault)
        self.fault, self.failures = None, 0
