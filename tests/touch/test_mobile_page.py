"""The phone page a kiosk's QR code opens (``/g/<code>``) stays the take-away: it works without
JavaScript and its HTML + CSS stay within 60 KB before images, for every demo guide, while
still declaring our own font for exactly the characters it shows."""

from __future__ import annotations

import re

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import PUBLISHED, Guide

BUDGET = 60 * 1024


def test_every_guide_page_is_small_script_free_and_brings_its_font(demo_app):
    with demo_app.app_context():
        codes = db.session.scalars(select(Guide.code).where(Guide.status == PUBLISHED)).all()
    client = demo_app.test_client()
    assert len(codes) > 20
    for code in codes:
        response = client.get(f"/g/{code}")
        assert response.status_code == 200, code
        html = response.get_data(as_text=True)
        assert "<script" not in html, code
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        css = sum(len(client.get(href).data) for href in sheets)
        size = len(response.data) + css
        assert size <= BUDGET, f"/g/{code}: {size} bytes of HTML+CSS"
        faces = re.findall(r"@font-face\{[^}]*unicode-range:([^}]*)\}", html)
        declared = set()
        for ranges in faces:
            for part in ranges.split(","):
                lo, _, hi = part.strip().removeprefix("U+").partition("-")
                declared.update(range(int(lo, 16), int(hi or lo, 16) + 1))
        title = re.search(r'<h1 class="title">([^<]+)</h1>', html).group(1)
        assert {ord(c) for c in title} <= declared, f"/g/{code}: title characters without our font"


def test_an_unknown_code_is_a_small_page_too(demo_app):
    response = demo_app.test_client().get("/g/no-such-guide")
    assert response.status_code == 404
    assert len(response.data) < BUDGET and "<script" not in response.get_data(as_text=True)


def test_phone_views_are_counted_in_batches_and_count_as_demand(demo_app, monkeypatch):
    from kiosk.models import GuideViewCount
    from kiosk.services.demand import views as demand_views
    from kiosk.services.search import get_engine, search_guides

    with demo_app.app_context():
        code = db.session.scalars(select(Guide.code).where(Guide.name == "居民身份证补领")).one()
    client = demo_app.test_client()
    for _ in range(3):
        assert client.get(f"/g/{code}").status_code == 200
    with demo_app.app_context():
        assert db.session.query(GuideViewCount).count() == 0  # counted in memory, not yet written
    monkeypatch.setattr(demand_views, "FLUSH_SECONDS", 0.0)
    client.get(f"/g/{code}")
    with demo_app.app_context():
        rows = db.session.scalars(select(GuideViewCount)).all()
        assert [(r.ref, r.channel, r.count) for r in rows] == [(f"guide:{code}", "phone", 4)]
        get_engine().refresh_demand(db.session)
        hit = next(h for h in search_guides("身份证") if h.code == code)
        assert hit.views == 4
