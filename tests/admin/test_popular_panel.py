"""``popular:<n>`` in the staff panel: the playlist form accepts it and refuses a count out of
range next to the row, and the preview and the reviewer's queue read 热门事项（前 5 项）."""

from __future__ import annotations

from kiosk.extensions import db
from kiosk.models import ContentVersion, Department, Guide

from .conftest import client_as, csrf_from, make_user, text_of


def _form(token: str, ref: str) -> dict[str, str]:
    return {"csrf_token": token, "code": "hot", "title": "热门", "publish_from": "", "action": "submit",
            "p-count": "1", "p-0-ref": ref, "p-0-duration": "15"}


def test_the_playlist_form_takes_popular_items_and_shows_them_readably(app):
    with app.app_context():
        dept = Department(code="d", name="公安局")
        db.session.add_all([Guide(code="G1", name="居民身份证换领", item_type="行政确认", case_type="即办件",
                                  department=dept),
                            Guide(code="G2", name="出生登记", item_type="行政确认", case_type="即办件",
                                  department=dept)])
        db.session.commit()
    make_user(app, "ed", "editor")
    make_user(app, "rev", "reviewer")
    ed = client_as(app, "ed")
    page = ed.get("/admin/content/playlists/new")
    assert 'value="popular:5">热门事项（前 5 项）' in page.text  # offered in the list
    token = csrf_from(page.text)

    r = ed.post("/admin/content/playlists/new", data=_form(token, "popular:21"))
    assert r.status_code == 400
    assert 'id="items-1-ref-error"' in r.text and "热门事项的数量应在 1–20 之间" in text_of(r)
    with app.app_context():
        assert db.session.query(ContentVersion).count() == 0

    r = ed.post("/admin/content/playlists/new", data=_form(token, "popular:5"))
    assert r.status_code == 302
    with app.app_context():
        v = db.session.query(ContentVersion).one()
        assert v.data["items"] == [{"ref": "popular:5", "duration": 15}]
    preview = text_of(ed.get(f"/admin/content/versions/{v.id}/preview"))
    # nothing ranked yet: the published guides in name order, each one page of the item
    assert "第 1 项 · 热门事项（前 5 项）（第 1/2 项：出生登记）" in preview
    assert "第 1 项 · 热门事项（前 5 项）（第 2/2 项：居民身份证换领）" in preview
    assert "1. 热门事项（前 5 项）（15 秒）" in text_of(client_as(app, "rev").get("/admin/review"))
