"""The screen page of a kiosk carries the touch UI and its settings; other screens and the
staff panel's mirror do not."""

from __future__ import annotations

import json
import re

from kiosk.extensions import db
from kiosk.models import Screen

from ..conftest import make_app
from .kiosk_util import kiosk_token, screen_token


def touch_config(html: str) -> dict | None:
    m = re.search(r'<script type="application/json" id="touch-config">(.*?)</script>', html, re.S)
    return json.loads(m.group(1)) if m else None


def test_a_kiosk_page_has_the_touch_ui_with_its_settings(demo_app):
    token = kiosk_token(demo_app)
    with demo_app.app_context():
        screen = db.session.query(Screen).filter_by(token=token).one()
        screen.idle_seconds = 90
        db.session.commit()
    html = demo_app.test_client().get(f"/screen/{token}").get_data(as_text=True)
    cfg = touch_config(html)
    assert cfg["idle_seconds"] == 90 and cfg["countdown_seconds"] == 10
    assert cfg["handwriting"] is True
    assert cfg["catalogue_url"] == f"/screen/{token}/kiosk/catalogue"
    assert 'id="touch-wake"' in html and "/static/touch/touch.css" in html


def test_other_screens_and_mirrors_have_no_touch_ui(demo_app):
    client = demo_app.test_client()
    wall = client.get(f"/screen/{screen_token(demo_app, 'led_wall')}").get_data(as_text=True)
    mirror = client.get(f"/screen/{kiosk_token(demo_app)}?mirror=1").get_data(as_text=True)
    for html in (wall, mirror):
        assert touch_config(html) is None and "touch-wake" not in html and "/static/touch/" not in html


def test_without_the_handwriting_model_the_page_says_so(tmp_path, demo_db):
    import shutil

    shutil.copy(demo_db, tmp_path / "test.db")
    app = make_app(tmp_path, tmp_path / "test.db", create=False)
    app.config["HANDWRITING_MODEL"] = str(tmp_path / "missing.model")
    html = app.test_client().get(f"/screen/{kiosk_token(app)}").get_data(as_text=True)
    assert touch_config(html)["handwriting"] is False
