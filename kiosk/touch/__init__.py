"""The touch kiosk's own endpoints (自助查询机): ``/screen/<token>/kiosk/…``.

A kiosk is a screen of kind ``kiosk``; its page is the ordinary screen page
(``/screen/<token>``, kiosk/display) with the touch UI on top. What only a kiosk needs — its
catalogue, handwriting recognition, ratings and visit records — lives here, authenticated by
the screen's token like the page itself. A token of another kind of screen, or a revoked one,
gets 404: the token still opens nothing but its own screen's page and these few endpoints,
and none of them reads anything a citizen could not see on the kiosk anyway.

No cookies and no session are involved, so the routes are CSRF-exempt; errors are JSON
``{"error": {"code", "message", "field"?}}`` like the API's.
"""

from flask import Blueprint

bp = Blueprint("touch", __name__)

from . import handwriting, routes  # noqa: E402,F401  (routes attach to bp)
