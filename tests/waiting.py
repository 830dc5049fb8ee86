"""Waiting for state outside a page (a database row, a log line, a Redis channel).

Browser tests wait with Playwright's own conditions; what a test must see happen in another
process has no event to wait on, so it is polled until it is true or the deadline passes.
One helper for the whole suite, so every such wait has the same generous deadline and says
what it waited for when it times out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], what: str = "condition", timeout: float = 30.0) -> T:
    """Poll ``condition`` until it returns something truthy (returned), or fail after
    ``timeout`` seconds naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)
