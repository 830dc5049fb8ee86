"""Screen page routes. The token in the URL is the screen's only credential."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path

from flask import (
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from markupsafe import Markup

from ..extensions import csrf, db
from ..guard.limits import pairing_limit
from ..models import utcnow
from ..services import layouts, pairing
from ..services import screens as screen_service
from ..services.publish import get_publisher
from ..services.state import for_screen
from ..touch.page import touch_config
from . import bp


def _instant(value) -> float | None:
    try:
        return datetime.fromisoformat(value).timestamp() if isinstance(value, str) else None
    except ValueError:
        return None


def first_item(state: dict, now: datetime) -> str | None:
    """The item a screen shows at ``now`` (None: idle), by the wall-clock rule of
    docs/display-protocol.md — the same computation as ``planAt`` in screen-timeline.js.

    The page is served with that slide already in place, so that frames painted before the
    scripts run show a slide and not an empty stage: on a reload while the server is down the
    scripts come from the service worker, and the browser paints while it waits for them.
    """
    items = state.get("items") or {}
    t = now.timestamp()
    segments = []
    for seg in state.get("timeline") or ():
        start = _instant(seg.get("start"))
        end = math.inf if seg.get("end") is None else _instant(seg.get("end"))
        if start is None or end is None:
            continue
        playable = [i for i in seg.get("items") or () if isinstance(i, dict) and i.get("id") in items
                    and float(i.get("duration") or 0) > 0]
        segments.append((start, end, playable))
    segments.sort(key=lambda s: s[0])
    chosen = None
    for seg in segments:
        if seg[0] <= t < seg[1]:
            chosen = seg
            break
        if seg[0] <= t:
            chosen = seg  # past the end or in a gap: the last one that started keeps playing
    chosen = chosen or (segments[0] if segments else None)
    if not chosen or not chosen[2]:
        return None
    start, _, playable = chosen
    pos = (t - start) % sum(float(i["duration"]) for i in playable)
    acc = 0.0
    for item in playable:
        acc += float(item["duration"])
        if pos < acc:
            return item["id"]
    return playable[0]["id"]


def _screen_or_404(token: str):
    screen = screen_service.by_token(db.session, token)
    if screen is None or screen.revoked_at is not None:
        abort(404)
    return screen


def embed_json(data) -> Markup:
    """JSON that is safe inside <script type="application/json"> (no "</script>" breakout)."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    raw = raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(raw.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@bp.app_template_global("screen_layout_size")
def screen_layout_size(name: str) -> tuple[int, int]:
    """(width, height) of a layout in layout pixels, so that the staff panel's preview of a
    screen is drawn at that screen's own size and scaled down, not squeezed into 1920×1080."""
    try:
        layout = layouts.load_layout(current_app.config["LAYOUTS_DIR"], name)
    except layouts.LayoutError:
        return 1920, 1080
    return int(layout["width"]), int(layout["height"])


@bp.get("/screen/sw.js")
def service_worker():
    """The screen service worker, served under /screen/ so that its scope covers the pages."""
    response = send_from_directory(Path(current_app.static_folder) / "display", "screen-sw.js", max_age=0)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/screen/<token>")
def screen_page(token: str):
    """The screen page. ``?mirror=1`` is the staff panel's live preview of the same page: it
    plays the same state but connects as a watcher (``auth.mirror``, kiosk/realtime/display.py),
    so that watching a dead screen does not make it look online."""
    screen = _screen_or_404(token)
    state = for_screen(get_publisher(current_app).state_for(screen.group.name, screen.layout), screen)
    mirror = request.args.get("mirror") == "1"
    touch = touch_config(screen, token) if screen.kind == "kiosk" and not mirror else None
    response = current_app.make_response(
        render_template(
            "display/screen.html",
            token=token,
            screen=screen,
            state=state,
            state_json=embed_json(state),
            layout=state["layout"],
            heartbeat_seconds=current_app.config["HEARTBEAT_SECONDS"],
            poll_seconds=current_app.config["POLL_SECONDS"],
            mirror=mirror,
            first=first_item(state, utcnow()),
            touch_config=touch,
            hall_name=(state.get("hall") or {}).get("name") or current_app.config.get("HALL_NAME", ""),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL holds the token
    return response


@bp.get("/screen/<token>/state")
def screen_state(token: str):
    """Fallback for a silently broken socket: 204 when ``since`` is current."""
    screen = _screen_or_404(token)
    state = get_publisher(current_app).state_for(screen.group.name, screen.layout)
    if request.args.get("since") == state["version"]:
        return "", 204, {"Cache-Control": "no-store"}
    response = jsonify(for_screen(state, screen))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/layouts/<name>/<path:filename>")
def layout_asset(name: str, filename: str):
    """Static files of a layout folder (CSS, images). Templates and YAML stay private."""
    if Path(filename).suffix.lower() in {".yaml", ".yml", ".html", ".py"}:
        abort(404)
    try:
        layout = layouts.load_layout(current_app.config["LAYOUTS_DIR"], name)
    except layouts.LayoutError:
        abort(404)
    return send_from_directory(layout["folder"], filename, max_age=300)


# -- pairing a new device (kiosk/services/pairing.py) -----------------------------------------
@bp.get("/screen")
def pair_page():
    """A device without a token shows a code for staff to type in the panel."""
    response = current_app.make_response(render_template("display/pair.html"))
    response.headers["Cache-Control"] = "no-store"
    return response


def _pair_json(data: dict, status: int = 200):
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.post("/screen/pair/code")
@csrf.exempt  # no cookie, no session: the device proves itself with its own secret
@pairing_limit()
def pair_code():
    body = request.get_json(silent=True) or {}
    try:
        row = pairing.issue(db.session, body.get("secret") if isinstance(body, dict) else None)
    except pairing.PairingError as err:
        db.session.rollback()
        return _pair_json({"error": {"code": err.field, "message": err.message}},
                          400 if err.field == "secret" else 503)
    db.session.commit()
    return _pair_json({"code": row.code, "expires_at": row.expires_at.isoformat(),
                       "poll_seconds": 2.5})


@bp.get("/screen/pair/status")
def pair_status():
    result = pairing.status(db.session, request.args.get("code"), request.args.get("secret"))
    if result.status == "claimed":
        return _pair_json({"status": "claimed", "url": url_for("display.screen_page", token=result.token)})
    if result.status == "pending":
        return _pair_json({"status": "pending", "expires_at": result.expires_at.isoformat()})
    return _pair_json({"status": "unknown"}, 404)
