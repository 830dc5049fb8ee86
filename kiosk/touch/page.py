"""What the screen page needs to show the touch UI on a kiosk (kiosk/templates/touch/ui.html).

The screen page (kiosk/display) stays one page for every kind of screen; for a kiosk it adds
the touch UI with these settings. Kept here so that the display blueprint does not need to
know the kiosk's endpoints.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import current_app

from ..models import Screen

COUNTDOWN_SECONDS = 10  # after the idle time (Screen.idle_timeout), a countdown offers 继续


def touch_config(screen: Screen, token: str) -> dict[str, Any]:
    """The settings and URLs the touch scripts read from ``#touch-config``."""
    from .handwriting import handwriting_available

    base = f"/screen/{quote(token, safe='')}/kiosk"
    return {
        "catalogue_url": f"{base}/catalogue",
        "handwriting_url": f"{base}/handwriting",
        "evaluations_url": f"{base}/evaluations",
        "events_url": f"{base}/events",
        "search_url": "/api/v1/search",  # guides and 一件事 bundles (services/search)
        "guide_url": "/api/v1/guides/",
        "bundle_url": "/api/v1/bundles/",
        "idle_seconds": screen.idle_timeout,
        "countdown_seconds": COUNTDOWN_SECONDS,
        # without the recognizer or its model the panel is hidden (the reason is logged once)
        "handwriting": handwriting_available(current_app),
        # keep every guide for offline browsing (the service worker holds the copies)
        "prefetch": True,
    }
