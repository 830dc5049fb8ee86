"""The wall clock may jump: an NTP step after a bad start, an operator's ``date -s``, a
virtual machine resumed hours later. What this server does about it (docs/operations.md,
"Faults"):

* **What plays follows the wall clock.** Resolution is a pure function of (rows, now), so
  the right answer after a jump is simply "what the new wall time says", at once: the
  publisher's caches are keyed by wall time as well as by age (a state built at 18:00 is
  not reused at 17:00), and when :class:`ClockWatch` sees a jump, ``kiosk/jobs.py``
  republishes every room (screens take the new ``server_time`` as their clock offset) and
  re-arms the jobs.
* **Lifetimes never grow.** A session's 12 hours, a login pause, a kiosk's rating window
  are measured from a stored wall time. After a backward jump that time lies in the future
  and "now − then" is negative, which would make every one of them last the jump longer. A
  stored start more than :data:`SKEW` ahead of now therefore counts as the clock having
  gone back: a session ends (sign in again), a pause is over, an old rating no longer
  counts. A forward jump only makes them end early, which is the safe side.
* **Scheduled jobs fire once, not in a burst** (APScheduler's ``coalesce``), and after a
  backward jump they do not wait for the old time to come round again (``rearm``).
Intervals inside one process (caches, flush loops, back-off) use ``time.monotonic``, which
no jump moves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta

SKEW = timedelta(minutes=1)  # clocks of the processes of one hall agree far better than this
JUMP_SECONDS = 30.0  # smaller differences are NTP slewing or a busy machine, not a jump


def from_the_future(stored: datetime | None, now: datetime, skew: timedelta = SKEW) -> bool:
    """True when ``stored`` (a time this server wrote) lies more than ``skew`` after ``now``:
    the wall clock went back since it was written."""
    return stored is not None and stored > now + skew


class ClockWatch:
    """Finds wall-clock jumps by comparing the wall clock with the monotonic one.

    Both clocks are injectable, so tests jump the wall clock without touching the machine's.
    """

    def __init__(self, wall: Callable[[], float] = time.time, mono: Callable[[], float] = time.monotonic,
                 threshold: float = JUMP_SECONDS):
        self._wall, self._mono, self.threshold = wall, mono, threshold
        self._offset = wall() - mono()

    def check(self) -> float:
        """Seconds the wall clock jumped since the last check (+ forward, − back), or 0.0.

        A slow drift (NTP slewing) is absorbed check by check and never adds up to a jump."""
        offset = self._wall() - self._mono()
        jump, self._offset = offset - self._offset, offset
        return jump if abs(jump) >= self.threshold else 0.0
