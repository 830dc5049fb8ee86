"""The screen page as served: the slide of the moment already in place, and every file it
loads kept by the service worker for offline reloads."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.display.routes import first_item
from kiosk.extensions import db
from kiosk.models import Screen, TickerLine

STATIC = Path(__file__).resolve().parent.parent / "kiosk" / "static"
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


STATE = {
    "items": {"a": {"html": "<section>A</section>"}, "b": {"html": "<section>B</section>"},
              "c": {"html": "<section>C</section>"}},
    "timeline": [
        {"start": iso(T0), "end": iso(T0 + timedelta(hours=1)),
         "items": [{"id": "a", "duration": 2}, {"id": "gone", "duration": 5}, {"id": "b", "duration": 3}]},
        {"start": iso(T0 + timedelta(hours=1)), "end": None, "items": [{"id": "c", "duration": 10}]},
    ],
}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_first_item_follows_the_wall_clock_rule():
    # items missing from "items" are skipped, as the page skips them: the cycle is a(2) + b(3)
    assert [first_item(STATE, at(s)) for s in (0, 1.999, 2, 4.999, 5, 7)] == ["a", "a", "b", "b", "a", "b"]
    assert first_item(STATE, at(3600)) == "c"  # the next segment, open-ended
    assert first_item(STATE, at(10 * 86400)) == "c"
    assert first_item(STATE, at(-60)) == "a"  # before the timeline: its first segment
    assert first_item({"items": {}, "timeline": []}, T0) is None
    idle = {"items": {"a": {}}, "timeline": [{"start": iso(T0), "end": None, "items": []}]}
    assert first_item(idle, T0) is None


def test_the_page_is_served_with_the_slide_of_the_moment(demo_app):
    with demo_app.app_context():
        screen = db.session.query(Screen).filter_by(kind="led_wall").order_by(Screen.id).first()
        token = screen.token
        db.session.add(TickerLine(code="x-first", text="<b>请</b>排队取号", groups=[], position=-1))
        db.session.commit()
    html = demo_app.test_client().get(f"/screen/{token}").text
    layer = re.search(r'<div class="slide-layer current" data-item="([^"]+)">\s*(<section[^>]*>)', html)
    assert layer, "the skeleton has no slide: frames before the scripts would be empty"
    state = demo_app.test_client().get(f"/screen/{token}/state").get_json()
    assert layer.group(1) in {i["id"] for seg in state["timeline"][:2] for i in seg["items"]}
    assert 'class="slide slide-' in layer.group(2)
    ticker = re.search(r'<div class="ticker-static">(.*?)</div>', html).group(1)
    assert ticker == "&lt;b&gt;请&lt;/b&gt;排队取号"  # what staff typed is escaped here too


def test_the_service_worker_keeps_every_file_of_the_page(demo_app):
    # one screen of every kind: a kiosk's page also loads the touch UI
    with demo_app.app_context():
        tokens = {s.kind: s.token for s in db.session.query(Screen).order_by(Screen.id.desc())}
    assert "kiosk" in tokens
    loaded = set()
    for token in tokens.values():
        html = demo_app.test_client().get(f"/screen/{token}").text
        loaded |= set(re.findall(r'<script src="(/static/[^"]+)"', html))
        loaded |= set(re.findall(r'<link rel="stylesheet"[^>]* href="(/static/[^"]+)"', html))
    css = (STATIC / "display" / "screen.css").read_text("utf-8")
    loaded |= {f"/static/display/{name}" for name in re.findall(r'@import url\("([^"]+)"\)', css)}
    assert {"/static/display/screen.js", "/static/display/screen-start.js",
            "/static/display/slides.css"} <= loaded
    worker = (STATIC / "display" / "screen-sw.js").read_text("utf-8")
    listed = set(re.findall(r"'(/static/[^']+)'", worker.split("var SCREEN_FILES", 1)[1].split("];", 1)[0]))
    assert loaded == listed, f"add to SCREEN_FILES: {loaded - listed}; stale: {listed - loaded}"
    for path in listed:
        assert (STATIC / path.removeprefix("/static/")).is_file(), path
