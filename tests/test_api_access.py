"""Every JSON API route × every role (and anonymous, a bogus token and a screen's display
token) gets exactly the intended access. The list of routes comes from ``app.url_map``: a new
API route fails here until its rule is added to ``ACCESS``.

A display token is the secret of a screen: it may only receive its state over /display, so
on the API (and the panel) it counts for nothing, like no token at all.
"""

from __future__ import annotations

import pytest

from kiosk.extensions import db
from kiosk.services.screens import NewScreen, add_screens
from kiosk.services.users import ROLES, add_user, create_token

PUBLIC = "public"
STAFF = frozenset(ROLES)
ACCESS: dict[str, frozenset[str] | str] = {
    "api.list_guides": PUBLIC,
    "api.get_guide": PUBLIC,
    "api.search_all": PUBLIC,
    "api.list_bundles": PUBLIC,
    "api.get_bundle": PUBLIC,
    "api.list_screens": STAFF,
    "api.create_screen": frozenset({"admin"}),
    "api.list_alerts": STAFF,
    "api.create_alert": frozenset({"admin", "reviewer"}),
    "api.cancel_alert": frozenset({"admin", "reviewer"}),
    "api.parse_disclosure": frozenset({"admin", "reviewer", "editor"}),
    "api.override_disclosure": frozenset({"admin", "reviewer"}),
    "api.approve_disclosure": frozenset({"admin", "reviewer"}),
    "api.reject_disclosure": frozenset({"admin", "reviewer"}),
}
ARGS = {"guide_id": 999, "alert_id": 999, "report_id": 999, "code": "nope"}


@pytest.fixture
def callers(app):
    """Authorization headers per caller: one token per role, none, a bogus one, a screen's."""
    headers: dict[str, dict[str, str]] = {"anonymous": {}, "bogus": {"Authorization": "Bearer x" * 3}}
    with app.app_context():
        for role in ROLES:
            add_user(db.session, f"api-{role}", role, "correct-horse-42", actor="test")
            _, plain = create_token(db.session, f"api-{role}", actor="test")
            headers[role] = {"Authorization": f"Bearer {plain}"}
        [screen] = add_screens(db.session, NewScreen(name="屏", group="g", kind="window"),
                               layouts_dir=app.config["LAYOUTS_DIR"], actor="test")
        headers["display"] = {"Authorization": f"Bearer {screen.token}"}
        db.session.commit()
    return headers


def api_rules(app):
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/")]


def test_every_api_route_has_an_access_rule(app):
    assert sorted(r.endpoint for r in api_rules(app)) == sorted(ACCESS)


def test_each_api_route_and_caller_gets_exactly_the_intended_access(app, callers):
    client = app.test_client()
    checked = 0
    for rule in api_rules(app):
        url = rule.rule
        for name, value in ARGS.items():
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        allowed = ACCESS[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, headers in callers.items():
                # an empty body: allowed callers get a validation error or 404, never a write
                r = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
                may = allowed == PUBLIC or who in allowed
                where = f"{method} {url} as {who}: {r.status_code} {r.get_data(as_text=True)[:200]}"
                if may:
                    assert r.status_code not in (401, 403), where
                    assert r.status_code < 500, where
                elif who in ("anonymous", "bogus", "display"):
                    assert r.status_code == 401, where
                    assert r.get_json()["error"]["code"], where
                else:
                    assert r.status_code == 403, where
                checked += 1
    assert checked >= len(ACCESS) * len(callers)


def test_a_display_token_gets_nothing_in_the_panel(app, callers):
    client = app.test_client()
    for path in ("/admin/", "/admin/screens", "/admin/users", "/admin/audit"):
        r = client.get(path, headers=callers["display"])
        assert r.status_code == 302 and "/admin/login" in r.headers["Location"], path
