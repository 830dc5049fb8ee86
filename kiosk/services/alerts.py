"""Posting and cancelling alerts, shared by the JSON API and the staff panel.

One code path means one audit format and one publish call: whichever door an alert comes
through, every targeted screen gets it the same way. After publishing we record the state
version each targeted (group, layout) room received, so the panel can tell which screens
have acknowledged the alert (their heartbeat reports that version).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Alert, AlertDelivery, AuditLog, Screen, ScreenGroup, utcnow
from .publish import Publisher

LEVEL_LABELS = {"info": "提示", "warning": "警告", "critical": "紧急"}


def alert_json(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "text": alert.text,
        "level": alert.level,
        "groups": alert.groups or None,
        "starts_at": alert.starts_at.isoformat(),
        "expires_at": alert.expires_at.isoformat() if alert.expires_at else None,
        "cancelled_at": alert.cancelled_at.isoformat() if alert.cancelled_at else None,
    }


def active_alerts(session: Session, now: datetime | None = None) -> list[Alert]:
    """Not cancelled and not expired, newest first."""
    now = now or utcnow()
    alerts = session.scalars(select(Alert).where(Alert.cancelled_at.is_(None)).order_by(Alert.id.desc()))
    return [a for a in alerts if a.expires_at is None or a.expires_at > now]


def _record_deliveries(session: Session, publisher: Publisher, alert: Alert) -> None:
    for group, layout in publisher.targets(alert.groups or None):
        version = publisher.state_for(group, layout)["version"]
        session.add(AlertDelivery(alert_id=alert.id, group=group, layout=layout, version=version))
    session.commit()


def create_alert(
    session: Session, publisher: Publisher, *, text: str, level: str, groups: list[str],
    expires_in: int | None, actor: str, user_id: int | None,
) -> Alert:
    """Store, audit and publish an alert (inputs already validated); commits."""
    now = utcnow()
    alert = Alert(
        text=text, level=level, groups=groups, starts_at=now,
        expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
        created_by=user_id,
    )
    session.add(alert)
    session.flush()
    session.add(AuditLog(actor=actor, action="create", object_type="alert",
                         object_id=str(alert.id), after=alert_json(alert)))
    session.commit()
    publisher.alerts_changed(groups or None)
    _record_deliveries(session, publisher, alert)
    return alert


def cancel_alert(session: Session, publisher: Publisher, alert: Alert, *, actor: str) -> bool:
    """Cancel (idempotent); returns whether anything changed. Commits and publishes."""
    if alert.cancelled_at is not None:
        return False
    before = alert_json(alert)
    alert.cancelled_at = utcnow()
    session.add(AuditLog(actor=actor, action="cancel", object_type="alert",
                         object_id=str(alert.id), before=before, after=alert_json(alert)))
    session.commit()
    publisher.alerts_changed(alert.groups or None)
    return True


@dataclass(frozen=True)
class Ack:
    screen_id: int
    name: str
    group: str
    acknowledged: bool
    versions: tuple[str, ...] = ()  # the versions that count as "received" (for live updates)


def acknowledgements(session: Session, publisher: Publisher, alert: Alert) -> list[Ack]:
    """Per targeted screen: does the version it last reported carry this alert?

    A screen has acknowledged when its last heartbeat version (in-memory presence first,
    the stored ``Screen.last_version`` otherwise) equals the version sent with the alert —
    or the current version of its room, which still carries the alert while it is active
    (another change after the alert must not make every screen look unacknowledged).
    """
    sent = {(d.group, d.layout): d.version
            for d in session.scalars(select(AlertDelivery).where(AlertDelivery.alert_id == alert.id))}
    stmt = (select(Screen).join(ScreenGroup, Screen.group_id == ScreenGroup.id)
            .where(Screen.revoked_at.is_(None)).options(selectinload(Screen.group)).order_by(Screen.name))
    if alert.groups:
        stmt = stmt.where(ScreenGroup.name.in_(alert.groups))
    current: dict[tuple[str, str], str] = {}
    out = []
    for screen in session.scalars(stmt):
        key = (screen.group.name, screen.layout)
        if key not in current:
            current[key] = publisher.state_for(*key)["version"]
        versions = tuple(sorted({v for v in (sent.get(key), current[key]) if v}))
        out.append(Ack(screen.id, screen.name, screen.group.name,
                       _reported_version(publisher, screen) in versions, versions))
    return out


def _reported_version(publisher: Publisher, screen: Screen) -> str | None:
    # Heartbeats are batched in memory before they reach the database (services/presence.py).
    return publisher.presence.pending_version(screen.id) or screen.last_version
