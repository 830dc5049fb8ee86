"""Security headers on every response (issue 10: screen, pairing and phone pages had none).

Every response: ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``
(a screen's URL carries its token; it must never leak to another site as a referrer).
HTML pages also get a Content-Security-Policy: scripts, styles, fonts, images and sockets only
from this server (halls run on intranets; everything is served locally anyway), no plugins,
no ``<base>``, forms only to this server. Slides keep inline ``style=""`` attributes (bar
widths, layout positions), which the policy allows; no inline script runs anywhere.

Framing: the staff panel may never be framed (its own stricter headers, ``admin/auth.py``).
Public pages may be framed by this server only, unless ``KIOSK_FRAME_ANCESTORS`` names the
origins of a signage player that embeds the screen URL in a frame.
"""

from __future__ import annotations

from flask import Flask, Response

PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}"
)


def register(app: Flask) -> None:
    extra = " ".join(app.config.get("FRAME_ANCESTORS") or [])
    csp = PUBLIC_CSP.format(ancestors=f"'self' {extra}".strip())

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", csp)
            if not extra:
                response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
