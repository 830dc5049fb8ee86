"""The demo LED wall shows guides, 好差评 and the disclosure summary whenever someone looks.

Issue 2's done-means: on a fresh machine `make run`, then open a demo LED-wall URL — whatever
the hour or the day a reviewer tries it. The demo schedule (content/screens.yaml) has evening,
weekend and hall-closed entries; each must still rotate those three kinds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import Screen
from kiosk.services.schedule import resolve, timeline
from kiosk.services.state import build_state, load_rows

NEEDED = ("guide", "evaluation", "disclosure")
MONDAY = datetime(2026, 11, 30)  # a Monday; the week runs to Sunday 6 December


def _kinds(state: dict, segment: dict) -> set[str]:
    """The slide kinds of one timeline segment (a disclosure deck's pages count as disclosure)."""
    return {state["items"][item["id"]]["kind"].split("_")[0] for item in segment["items"]}


def test_every_half_hour_of_a_week_the_demo_wall_plays_guides_evaluations_and_disclosure(demo_app):
    with demo_app.app_context():
        zone = ZoneInfo(demo_app.config["TIMEZONE"])
        wall = db.session.scalars(
            select(Screen).where(Screen.kind == "led_wall").order_by(Screen.id)).first()
        group, layout = wall.group.name, wall.layout
        rows = load_rows(db.session, demo_app.config["TIMEZONE"])
        # every schedule edge of the demo is on :00 or :30, so half-hourly samples see every state
        samples = [(MONDAY + timedelta(minutes=30 * i)).replace(tzinfo=zone) for i in range(7 * 48)]
        first_seen: dict[str, datetime] = {}
        for local in samples:
            now = local.astimezone(ZoneInfo("UTC"))
            res = resolve(rows, group, now)
            assert res.playlist, f"nothing plays on the wall at {local:%a %H:%M}"
            for seg in timeline(rows, group, now):  # the 24 h the screen carries offline, too
                assert seg.resolution.playlist, f"an empty segment in the timeline at {local:%a %H:%M}"
                first_seen.setdefault(seg.resolution.playlist, seg.start if seg.start > now else now)
        by_day = {local.isoweekday(): resolve(rows, group, local) for local in samples if local.hour == 10}
        assert by_day[6].source == by_day[7].source == "lobby-weekend"  # the weekend is its own case
        # the evening and the closed hall are part of the week too, not only the day playlist
        assert {"lobby-day", "lobby-evening", "lobby-weekend", "closed"} <= set(first_seen)

        for playlist, when in sorted(first_seen.items()):
            state = build_state(demo_app, db.session, group, layout, when + timedelta(seconds=1))
            [segment] = [s for s in state["timeline"] if s["playlist"] == playlist][:1]
            missing = set(NEEDED) - _kinds(state, segment)
            assert not missing, f"playlist {playlist!r} on the demo wall lacks {sorted(missing)}"
