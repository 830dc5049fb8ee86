"""Every /admin route × every role gets exactly the intended access.

The list of routes comes from ``app.url_map``: a new panel route fails here until its rule is
added to ``ACCESS`` (and, in the app, a view without ``@role_required``/``@public`` is refused
to everyone).
"""

from __future__ import annotations

import pytest

from kiosk.extensions import db
from kiosk.services.users import create_token

from .conftest import ROLES, csrf_from, login, make_user

PUBLIC = "public"
STAFF = frozenset(ROLES)
ADMIN = frozenset({"admin"})

# endpoint -> who may use it (every method of the rule)
ACCESS: dict[str, frozenset[str] | str] = {
    "admin.login": PUBLIC,
    "admin.logout": STAFF,
    "admin.dashboard": STAFF,
    "admin.account": STAFF,
    "admin.users": ADMIN,
    "admin.user_disable": ADMIN,
    "admin.user_enable": ADMIN,
    "admin.user_unlock": ADMIN,
    "admin.user_password": ADMIN,
    "admin.user_role": ADMIN,
    "admin.tokens": ADMIN,
    "admin.token_revoke": ADMIN,
    "admin.screens": STAFF,
    "admin.screen_pair": ADMIN,
    "admin.screen_edit": ADMIN,
    "admin.screen_revoke": ADMIN,
    "admin.screen_reload": ADMIN,
    "admin.screen_identify": ADMIN,
    "admin.audit": frozenset({"admin", "reviewer"}), "admin.audit_csv": frozenset({"admin", "reviewer"}),
    "admin.disclosure": STAFF,
    "admin.disclosure_report": STAFF,
    "admin.disclosure_upload": frozenset({"admin", "reviewer", "editor"}),
    "admin.disclosure_confirm": frozenset({"admin", "reviewer", "editor"}),
    "admin.disclosure_override": frozenset({"admin", "reviewer"}),
    "admin.disclosure_approve": frozenset({"admin", "reviewer"}),
    "admin.disclosure_reject": frozenset({"admin", "reviewer"}),
    # 搜索词库 (kiosk/admin/search_lexicon.py): everyone looks and tries, admins/reviewers change
    "admin.search_lexicon": STAFF,
    **{f"admin.search_lexicon_{e}": frozenset({"admin", "reviewer"}) for e in ("add", "edit", "delete")},
    # Excel import/export (kiosk/admin/excel.py): everyone downloads, editors+ import guides,
    # reviewers/admins import 好差评; the job pages are per uploader
    **{f"admin.import_{e}": STAFF for e in ("index", "guides_template", "guides_export",
                                             "evaluations_template", "evaluations_export")},
    "admin.import_guides_upload": frozenset({"admin", "reviewer", "editor"}),
    "admin.import_evaluations_upload": frozenset({"admin", "reviewer"}),
    **{f"admin.import_{e}": frozenset({"admin", "reviewer", "editor"}) for e in (
        "job", "job_status", "job_confirm", "job_cancel")},
    **{f"admin.{e}": frozenset({"admin", "reviewer", "editor"}) for e in (  # content + review
        "content_guides", "content_guide_new", "content_guide_edit", "content_notices",
        "content_notice_new", "content_notice_edit", "content_ticker", "content_ticker_new",
        "content_ticker_edit", "content_history", "content_version_submit",
        "content_version_discard", "content_version_rollback", "content_version_preview",
        "content_version_slide", "content_bundles", "content_bundle_new", "content_bundle_edit",
        "content_playlists", "content_playlist_new", "content_playlist_edit", "content_file")},
    "admin.schedule": STAFF, **{f"admin.schedule_{e}": frozenset({"admin", "editor"}) for e in ("new", "edit", "delete")},
    **{f"admin.schedule_{e}": frozenset({"admin", "reviewer"}) for e in ("approve", "reject")},
    "admin.alerts": STAFF, "admin.alert_frame": STAFF, **{f"admin.{e}": frozenset({"admin", "reviewer"}) for e in ("alert_send", "alert_cancel")},  # noqa: E501
    **{f"admin.{e}": frozenset({"admin", "reviewer"}) for e in ("review_queue", "review_approve",
                                                               "review_reject")},
    # 需求分析 (kiosk/admin/demand.py): everyone reads it and the report; mapping a search to a
    # guide is a content change (editor+, then review)
    **{f"admin.{e}": STAFF for e in ("demand", "demand_report", "demand_report_xlsx")},
    "admin.demand_map": frozenset({"admin", "reviewer", "editor"}),
}
WHO = (*ROLES, "anonymous")


def panel_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule == "/admin" or r.rule.startswith("/admin/")]


def test_every_admin_route_has_an_access_rule(app):
    rules = panel_rules(app)
    assert rules, "the panel has no routes?"
    missing = sorted({r.endpoint for r in rules} - set(ACCESS))
    assert not missing, f"add these endpoints to ACCESS in {__file__}: {missing}"
    stale = sorted(set(ACCESS) - {r.endpoint for r in rules})
    assert not stale, f"ACCESS lists endpoints that no longer exist: {stale}"


@pytest.fixture
def world(app):
    """A user per role signed in once (cookies reused), a target user and a target token."""
    for role in ROLES:
        make_user(app, role, role)
    target = make_user(app, "target", "viewer")
    with app.app_context():
        token, _ = create_token(db.session, "target", label="target", actor="test")
        db.session.commit()
        token_id = token.id
    cookies: dict[str, str | None] = {"anonymous": None}
    for role in ROLES:
        client = app.test_client()
        assert login(client, role).status_code == 302
        cookies[role] = client.get_cookie("session").value
    return {"cookies": cookies, "args": {"user_id": target, "token_id": token_id,
                                          "report_id": _stored_report(app), "key": "0" * 32,
                                          "screen_id": _screen(app), "name": _upload(app),
                                          "code": "none", "object_type": "guide", "version_id": 1, "alert_id": 1, "entry_id": 1, "term_id": 1}}


def _upload(app) -> str:
    """A stored 样表 for the staff file route (kiosk/admin/content_files.py)."""
    import io

    from kiosk.services.review_attachments import StagedUploads

    staged = StagedUploads(app.config["DATA_DIR"])
    path, _ = staged.add(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "sample.pdf")
    staged.keep()
    return path.split("/", 1)[1]


def _screen(app) -> int:
    """A screen for the screens pages (kiosk/admin/screens.py)."""
    from kiosk.models import Screen
    from kiosk.services.screens import get_or_create_group

    with app.app_context():
        screen = Screen(name="access-screen", kind="window", layout="window",
                        group=get_or_create_group(db.session, "g"))
        db.session.add(screen)
        db.session.commit()
        return screen.id


def _stored_report(app) -> int:
    """A disclosure report for the report pages (the demo's 2023 one)."""
    import json

    from kiosk.services.disclosure import store

    from ..conftest import CONTENT

    data = json.loads((CONTENT / "disclosure" / "laocheng-2023.json").read_text("utf-8"))
    with app.app_context():
        row = store.store_report(db.session, data, actor="test")
        db.session.commit()
        return row.id


def client_for(app, world, who: str):
    client = app.test_client()
    if world["cookies"][who]:
        client.set_cookie("session", world["cookies"][who])
    page = "/admin/login" if who == "anonymous" else "/admin/account"
    answer = client.get(page)
    if answer.status_code == 302:  # the walk signed this role out (POST /admin/logout): again
        client = app.test_client()
        assert login(client, who).status_code == 302
        world["cookies"][who] = client.get_cookie("session").value
        answer = client.get(page)
    return client, csrf_from(answer.text)


def test_each_route_and_role_gets_exactly_the_intended_access(app, world):
    checked = 0
    for rule in panel_rules(app):
        allowed = ACCESS[rule.endpoint]
        url = rule.build({a: world["args"][a] for a in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who in WHO:
                client, token = client_for(app, world, who)
                data = {"csrf_token": token} if method == "POST" else None
                r = client.open(url, method=method, data=data)
                where = f"{method} {url} as {who} -> {r.status_code} {r.location or ''}"
                to_login = r.status_code == 302 and (r.location or "").startswith("/admin/login")
                if allowed == PUBLIC or who in allowed:
                    assert r.status_code in (200, 302, 400), where  # 400: the empty form's messages
                    assert not to_login or (rule.endpoint == "admin.logout"), where
                    if r.status_code == 400:
                        assert "页面已过期" not in r.get_data(as_text=True), where
                elif who == "anonymous":
                    assert to_login, where
                else:
                    assert r.status_code == 403, where
                    assert "无权访问" in r.get_data(as_text=True), where
                checked += 1
    assert checked >= len(ACCESS) * len(WHO)


def test_the_forbidden_page_is_chinese_and_keeps_the_navigation(app, world):
    client, _ = client_for(app, world, "viewer")
    r = client.get("/admin/users")
    assert r.status_code == 403
    html = r.get_data(as_text=True)
    assert "无权访问此页面" in html and "只读查看" in html and "返回概览" in html
    assert 'href="/admin/users"' not in html  # the nav shows only what the role may open


def test_admin_nav_lists_admin_pages(app, world):
    client, _ = client_for(app, world, "admin")
    html = client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/users", "/admin/tokens", "/admin/account"):
        assert f'href="{path}"' in html


def test_a_panel_view_without_an_access_rule_is_refused_to_everyone(app, request):
    """Default deny: forgetting @role_required closes the page instead of opening it."""
    app.add_url_rule("/admin/forgotten", endpoint="admin.forgotten", view_func=lambda: "secret")
    world = request.getfixturevalue("world")
    for who in WHO:
        client, _ = client_for(app, world, who)
        r = client.get("/admin/forgotten")
        assert "secret" not in r.get_data(as_text=True), who
        assert r.status_code == (302 if who == "anonymous" else 403), who

