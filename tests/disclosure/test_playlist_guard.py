"""A disclosure report whose checks fail (without a reviewer's override) cannot be put in a
playlist: the panel's playlist form, its approval and the content importer refuse it on the
item, naming the report and what has to happen first. The slide renderer still drops such a
report (the safety net, see test_store.py)."""

from __future__ import annotations

import html
import json
import re

import pytest
from disclosure_factory import bumped, city_report
from sqlalchemy import func, select

from kiosk.extensions import db
from kiosk.models import ContentVersion, DisclosureReport, Playlist, User
from kiosk.services import review_kinds
from kiosk.services.disclosure.store import override, store_report
from kiosk.services.importer import ImportFailure, import_path
from tests.admin.conftest import csrf_from, login, make_user, text_of
from tests.import_fixtures import edit, table_counts

REASON = "原件如此，已与公开办核实无误。"
NAME = "政府信息公开年报“示范市人民政府办公厅 2023年”（disclosure:city-2023）"
REFUSED = f"{NAME}有 2 项校验未通过，须先由审核人员在“公开年报”页面填写理由放行，才能加入播放列表"


def failing_report(app) -> int:
    with app.app_context():
        row = store_report(db.session, bumped(city_report(), "applications.granted[0]", 3),
                           code="city-2023", actor="t")
        db.session.commit()
        return row.id


def allow(app, report_id: int) -> None:
    with app.app_context():
        override(db.session, report_id, REASON,
                 actor_user=db.session.scalar(select(User).where(User.name == "rev")))
        db.session.commit()


def playlist_form(token: str, ref: str) -> dict[str, str]:
    return {"csrf_token": token, "code": "nianbao", "title": "年报轮播", "publish_from": "",
            "action": "submit", "p-count": "1", "p-0-ref": ref, "p-0-duration": "20"}


@pytest.fixture
def staff_app(app):
    make_user(app, "ed", "editor")
    make_user(app, "rev", "reviewer")
    return app


def post_playlist(app, ref: str = "disclosure:city-2023"):
    client = app.test_client()
    login(client, "ed")
    token = csrf_from(client.get("/admin/content/playlists/new").text)
    return client.post("/admin/content/playlists/new", data=playlist_form(token, ref))


def test_panel_form_refuses_a_failing_report_on_its_item(staff_app):
    report_id = failing_report(staff_app)
    r = post_playlist(staff_app)
    assert r.status_code == 400
    # on the item's own field
    assert re.search(r'id="items-1-ref-error"><li>' + re.escape(html.escape(REFUSED)), r.text)
    with staff_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContentVersion)) == 0
        labels = review_kinds.ref_labels(db.session)
        assert labels["disclosure:city-2023"].endswith("（校验未通过，须先放行）")
        assert labels.refused == {"disclosure:city-2023": REFUSED}
    allow(staff_app, report_id)
    r = post_playlist(staff_app)
    assert r.status_code == 302
    with staff_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContentVersion)) == 1
        assert review_kinds.ref_labels(db.session).refused == {}


def test_approval_refuses_a_report_that_lost_its_override_since(staff_app):
    """Saved while overridden; then re-uploaded with other figures, which clears the
    override: approving the playlist is refused with the same message, nothing published."""
    report_id = failing_report(staff_app)
    allow(staff_app, report_id)
    assert post_playlist(staff_app).status_code == 302
    with staff_app.app_context():
        store_report(db.session, bumped(city_report(), "applications.granted[0]", 5),
                     replace=True, actor="t")
        db.session.commit()
        version = db.session.scalar(select(ContentVersion))
        version_id = version.id
    rev = staff_app.test_client()
    login(rev, "rev")
    token = csrf_from(rev.get("/admin/review").text)
    page = text_of(rev.post(f"/admin/review/{version_id}/approve", data={"csrf_token": token},
                            follow_redirects=True))
    assert REFUSED in page
    with staff_app.app_context():
        assert db.session.scalar(select(Playlist).where(Playlist.name == "nianbao")) is None
        assert db.session.get(ContentVersion, version_id).state != "published"


def _mini_with_failing_report(mini) -> None:
    edit(mini, "disclosure/mini-2023.json", '"new": [0, 0, 0, 0, 0, 0, 0]',
         '"new": [4, 0, 0, 0, 0, 0, 4]')


def test_importer_refuses_a_playlist_naming_a_failing_report(app, mini):
    _mini_with_failing_report(mini)
    with app.app_context():
        with pytest.raises(ImportFailure) as info:
            import_path(mini, actor="test")
        err = info.value
        assert err.file == "screens.yaml" and err.field == "playlists[1].items[5].ref"
        assert "disclosure:mini-2023" in err.message and "审核人员" in err.message
        assert "放行" in err.message
        assert set(table_counts().values()) == {0}  # nothing stored, not even the report


def test_importer_accepts_a_failing_report_a_reviewer_overrode(app, mini, tmp_path):
    """Overridden in the panel, imported again unchanged: the override still covers it."""
    _mini_with_failing_report(mini)
    playlist_free = tmp_path / "reports-only"
    (playlist_free / "disclosure").mkdir(parents=True)
    (playlist_free / "disclosure" / "mini-2023.json").write_text(
        (mini / "disclosure" / "mini-2023.json").read_text("utf-8"), "utf-8")
    make_user(app, "rev", "reviewer")
    with app.app_context():
        import_path(playlist_free, actor="test")  # the report alone: stored, failing
        row = db.session.scalar(select(DisclosureReport))
        assert row.checks_ok is False
        row_id = row.id
    allow(app, row_id)
    with app.app_context():
        import_path(mini, actor="test")
        items = [i.ref for i in db.session.scalar(
            select(Playlist).where(Playlist.name == "lobby-day")).items]
        assert "disclosure:mini-2023" in items


def test_importer_refuses_when_the_same_import_changes_the_overridden_figures(app, mini, tmp_path):
    _mini_with_failing_report(mini)
    reports_only = tmp_path / "reports-only"
    (reports_only / "disclosure").mkdir(parents=True)
    (reports_only / "disclosure" / "mini-2023.json").write_text(
        (mini / "disclosure" / "mini-2023.json").read_text("utf-8"), "utf-8")
    make_user(app, "rev", "reviewer")
    with app.app_context():
        import_path(reports_only, actor="test")
        row_id = db.session.scalar(select(DisclosureReport.id))
    allow(app, row_id)
    edit(mini, "disclosure/mini-2023.json", '"new": [4, 0, 0, 0, 0, 0, 4]',
         '"new": [5, 0, 0, 0, 0, 0, 5]')
    with app.app_context():
        with pytest.raises(ImportFailure) as info:
            import_path(mini, actor="test")
        assert "disclosure:mini-2023" in info.value.message
        row = db.session.get(DisclosureReport, row_id)
        # rolled back: the old figures and their override are still there
        assert row.override_reason == REASON
        assert json.dumps(row.data["applications"]["new"]) == "[4, 0, 0, 0, 0, 0, 4]"
        assert db.session.scalar(select(func.count()).select_from(Playlist)) == 0
