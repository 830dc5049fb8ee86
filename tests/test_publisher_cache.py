"""The publisher reuses rendered slides when only alerts change, and only then.

An emergency alert must reach 2,000 screens quickly: re-rendering every slide of the 24 h
timeline before the first frame goes out delayed every screen (docs/benchmarks.md). These
tests pin down that the fast path is taken for alerts and that it never serves stale content.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.extensions import db
from kiosk.models import AuditLog, Screen, TickerLine, utcnow
from kiosk.services import alerts as alert_service
from kiosk.services.publish import get_publisher
from kiosk.services.slides import SlideRenderer


@pytest.fixture
def renders(monkeypatch):
    """Count slide renderings (the expensive part of a state)."""
    calls: list[str] = []
    original = SlideRenderer.render_all

    def counting(self, ref):
        calls.append(ref)
        return original(self, ref)

    monkeypatch.setattr(SlideRenderer, "render_all", counting)
    return calls


def _wall(app):
    screen = db.session.query(Screen).filter_by(kind="led_wall").order_by(Screen.id).first()
    return screen.group.name, screen.layout


def test_an_alert_swaps_only_the_alerts(demo_app, renders):
    with demo_app.app_context():
        publisher = get_publisher(demo_app)
        group, layout = _wall(demo_app)
        before = publisher.state_for(group, layout)
        assert renders, "the first state renders its slides"
        renders.clear()

        alert = alert_service.create_alert(
            db.session, publisher, text="大厅临时停电，请有序离场", level="critical", groups=[group],
            expires_in=600, actor="test", user_id=None)
        after = publisher.state_for(group, layout)
        assert renders == [], "an alert must not re-render slides"
        assert after["version"] != before["version"]
        assert [a["text"] for a in after["alerts"]] == ["大厅临时停电，请有序离场"]
        assert after["items"] == before["items"] and after["timeline"] == before["timeline"]

        alert_service.cancel_alert(db.session, publisher, alert, actor="test")
        cancelled = publisher.state_for(group, layout)
        assert renders == []
        assert cancelled["alerts"] == []
        # same content, same alerts: the version is a content hash, so it comes back
        assert cancelled["version"] == before["version"]


def test_a_content_write_re_renders(demo_app, renders):
    with demo_app.app_context():
        publisher = get_publisher(demo_app)
        group, layout = _wall(demo_app)
        before = publisher.state_for(group, layout)
        renders.clear()
        line = db.session.query(TickerLine).order_by(TickerLine.id).first()
        line.text = "新的滚动字幕：周六照常办公"
        db.session.add(AuditLog(actor="test", action="update", object_type="content",
                                object_id=f"ticker:{line.id}"))
        db.session.commit()
        publisher.changed()
        after = publisher.state_for(group, layout)
        assert renders, "a content change renders again"
        assert "新的滚动字幕：周六照常办公" in after["ticker"]
        assert after["version"] != before["version"]


def test_a_write_by_another_process_is_seen_by_its_audit_row(demo_app, renders):
    """Scale-out: another process committed a content write; this process never heard of it
    but must not pair a new alert with the old slides."""
    with demo_app.app_context():
        publisher = get_publisher(demo_app)
        group, layout = _wall(demo_app)
        publisher.state_for(group, layout)
        renders.clear()
        line = db.session.query(TickerLine).order_by(TickerLine.id).first()
        line.text = "另一进程写入的字幕"
        db.session.add(AuditLog(actor="other", action="update", object_type="content"))
        db.session.commit()  # no publisher.changed(): that happened in the other process
        publisher.alerts_changed([group])
        state = publisher.state_for(group, layout)
        assert renders, "the content stamp moved: the body is rebuilt"
        assert "另一进程写入的字幕" in state["ticker"]


def test_bodies_expire_at_the_next_schedule_boundary(demo_app, renders):
    with demo_app.app_context():
        publisher = get_publisher(demo_app)
        group, layout = _wall(demo_app)
        now = utcnow()
        publisher.state_for(group, layout, now)
        body = publisher._bodies[(group, layout)]
        assert body.until is not None and body.until > now
        renders.clear()
        publisher.invalidate(content=False)
        publisher.state_for(group, layout, body.until - timedelta(microseconds=1))
        assert renders == []
        publisher.invalidate(content=False)
        publisher.state_for(group, layout, body.until)
        assert renders, "past the boundary the timeline is computed again"
