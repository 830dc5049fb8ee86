"""The ``/display`` namespace: screens receive ``state`` and send ``heartbeat``, nothing else.

A display token can only receive. The namespace has no handler that reads or changes
anything but the screen's own presence, and unknown events are dropped and logged.

``auth={"token": ..., "mirror": true}`` is a watcher, not the screen: the staff panel's live
preview (``/screen/<token>?mirror=1``). It joins the same rooms and gets the same states, but
records no presence, tells the staff panel nothing and has its heartbeats ignored, so that
watching a dead device never shows it online or overwrites the version and item it reported.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, join_room
from sqlalchemy import select

from ..extensions import db
from ..models import Screen
from ..services.publish import get_publisher, room_for
from .staff import screen_seen

log = logging.getLogger(__name__)
ALLOWED = {"connect", "disconnect", "heartbeat"}


def refuse(code: str, message: str) -> ConnectionRefusedError:
    """Socket.IO's refusal (not the builtin of the same name): the client's ``connect_error``
    gets ``{"message": message, "data": {"code", "message"}}``."""
    return ConnectionRefusedError(message, {"code": code, "message": message})


class DisplayNamespace(Namespace):
    def __init__(self, namespace: str = "/display"):
        super().__init__(namespace)
        self.sessions: dict[str, int] = {}  # sid -> screen id; mirrors are not in it

    def trigger_event(self, event: str, *args):
        if event not in ALLOWED:
            sid = args[0] if args else "?"
            log.warning("display %s sent unknown event %r: dropped", sid, event)
            return None
        try:
            return super().trigger_event(event, *args)
        except ConnectionRefusedError:
            raise
        except Exception:  # one bad screen must not take the namespace down
            log.exception("display event %r failed", event)
            db.session.rollback()
            return None

    def on_connect(self, auth: Any = None):
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token or not isinstance(token, str):
            raise refuse("token_missing", "缺少屏幕令牌 (screen token missing)")
        screen = db.session.scalar(select(Screen).where(Screen.token == token))
        if screen is None:
            raise refuse("token_unknown", "屏幕令牌无效 (unknown screen token)")
        if screen.revoked_at is not None:
            raise refuse("token_revoked", "屏幕令牌已被撤销 (screen token revoked)")
        publisher = get_publisher(current_app)
        group = screen.group.name
        mirror = auth.get("mirror") is True
        join_room(f"screen:{screen.id}")
        join_room(room_for(group, screen.layout))
        if not mirror:
            self.sessions[request.sid] = screen.id
            publisher.presence.connected(screen.id)
        publisher.send_state_to_sid(request.sid, screen)
        if not mirror:
            screen_seen(screen.id, online=True)
        return True

    def on_disconnect(self, reason: Any = None):
        screen_id = self.sessions.pop(request.sid, None)
        if screen_id is not None:
            presence = get_publisher(current_app).presence
            presence.disconnected(screen_id)
            screen_seen(screen_id, online=presence.is_connected(screen_id))

    def on_heartbeat(self, data: Any = None):
        screen_id = self.sessions.get(request.sid)
        if screen_id is None:  # a mirror's (or an unknown sid's) report is not the screen's
            return None
        data = data if isinstance(data, dict) else {}
        version = data.get("version")
        showing = data.get("showing")
        get_publisher(current_app).presence.heartbeat(
            screen_id,
            version if isinstance(version, str) else None,
            showing if isinstance(showing, str) else None,
        )
        screen_seen(screen_id, online=True, version=version if isinstance(version, str) else None,
                    showing=showing if isinstance(showing, str) else None)
        return {"ok": True}
