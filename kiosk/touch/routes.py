"""Kiosk catalogue, ratings (好差评) and visit records. See docs/kiosk.md.

The views only translate: the token to its kiosk (:func:`.common.kiosk_screen`), the body to
a dict, a service's refusal to a JSON error, and commit. What is checked and stored is
decided in :mod:`kiosk.services.touch`; a refused request has added nothing to the session.
"""

from __future__ import annotations

from flask import current_app, jsonify, request

from ..errors import ApiError
from ..extensions import db
from ..models import utcnow
from ..services.touch import ratings, visits
from ..services.touch.catalogue import build_catalogue
from ..services.touch.inputs import TouchInputError
from . import bp
from .common import json_body, kiosk_screen

# A rating or a batch of 200 events is a few KB; anything near this is not from the page.
BODY_MAX = 64 * 1024


@bp.after_request
def _not_stored(response):
    """Touch responses carry a kiosk's token in their URL and answers meant for that kiosk at
    that moment: no cache keeps them unless a view says otherwise (the catalogue does)."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _refused(err: TouchInputError) -> ApiError:
    db.session.rollback()
    return ApiError(400, "invalid_field", err.message, err.field)


@bp.get("/screen/<token>/kiosk/catalogue")
def catalogue(token: str):
    """The whole catalogue; ``If-None-Match`` with the current version gets a bodiless 304, so
    a page that reloads (or checks after a publish) costs almost nothing when nothing moved."""
    kiosk_screen(token)
    data = build_catalogue(db.session, current_app.config["HALL_NAME"], utcnow())
    response = jsonify(data)
    response.set_etag(data["version"])
    response.headers["Cache-Control"] = "no-cache"  # may keep it, must ask before using it
    return response.make_conditional(request)


@bp.post("/screen/<token>/kiosk/evaluations")
def evaluations(token: str):
    screen = kiosk_screen(token)
    body = json_body(BODY_MAX)
    config = current_app.config
    try:
        rating = ratings.record_rating(
            db.session, screen, body, utcnow(),
            limit=int(config.get("RATING_LIMIT_COUNT", ratings.DEFAULT_LIMIT)),
            window_seconds=int(config.get("RATING_LIMIT_WINDOW_SECONDS", ratings.DEFAULT_WINDOW_SECONDS)),
        )
    except TouchInputError as err:
        raise _refused(err) from None
    except ratings.RateLimited as err:
        db.session.rollback()
        error = ApiError(429, "rate_limited", f"评价次数过多，请 {err.retry_after} 秒后再试 "
                                              "(too many ratings from this kiosk)")
        response = jsonify(error.to_dict())
        response.headers["Retry-After"] = str(err.retry_after)
        return response, 429
    db.session.commit()
    return jsonify({"id": rating.id, "level": rating.level}), 201


@bp.post("/screen/<token>/kiosk/events")
def events(token: str):
    screen = kiosk_screen(token)
    body = json_body(BODY_MAX)
    try:
        visits.record_events(db.session, screen, body, utcnow())
    except TouchInputError as err:
        raise _refused(err) from None
    db.session.commit()
    return "", 204
