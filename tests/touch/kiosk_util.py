"""Helpers for the kiosk endpoint tests: tokens of kiosks and of other screens, row counts,
a published guide's facts, and the touch URLs."""

from __future__ import annotations

from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import Bundle, Guide, Screen
from kiosk.services.screens import NewScreen, add_screens

VISIT = "9f86d081884c7d65"


def url(token: str, what: str) -> str:
    return f"/screen/{token}/kiosk/{what}"


def kiosk_token(app) -> str:
    """The demo's kiosk (一楼自助查询机)."""
    with app.app_context():
        return db.session.scalar(select(Screen.token).where(Screen.kind == "kiosk").order_by(Screen.id))


def screen_token(app, kind: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Screen.token).where(Screen.kind == kind).order_by(Screen.id))


def add_kiosk(app, name: str = "二楼自助查询机") -> str:
    with app.app_context():
        [screen] = add_screens(db.session, NewScreen(name=name, group="kiosks", kind="kiosk"),
                               layouts_dir=app.config["LAYOUTS_DIR"], actor="test")
        db.session.commit()
        return screen.token


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def guide_facts(app, name_part: str = "身份证") -> dict:
    """code, id, department id and window of a published demo guide."""
    with app.app_context():
        g = db.session.scalar(select(Guide).where(Guide.name.contains(name_part)).order_by(Guide.id))
        return {"code": g.code, "id": g.id, "department_id": g.department_id, "window": g.window,
                "name": g.name}


def bundle_facts(app, code: str = "newborn") -> dict:
    with app.app_context():
        b = db.session.scalar(select(Bundle).where(Bundle.code == code))
        return {"code": b.code, "id": b.id, "window": b.window}


def set_status(app, model, code: str, status: str) -> None:
    with app.app_context():
        row = db.session.scalar(select(model).where(model.code == code))
        row.status = status
        db.session.commit()
