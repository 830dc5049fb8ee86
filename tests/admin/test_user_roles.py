"""Changing an existing account's role in /admin/users: audited, effective at once, and the
last enabled admin cannot give the role away (nobody could manage accounts afterwards)."""

from __future__ import annotations

from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import AuditLog, User

from .conftest import login, make_user, page_token


def signed_in_admin(app, name: str = "boss"):
    uid = make_user(app, name, "admin")
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client, uid


def role_of(app, uid: int) -> str:
    with app.app_context():
        return db.session.get(User, uid).role


def error_next_to_role(html: str, uid: int) -> str:
    marker = f'id="role-{uid}-error"'
    return html.split(marker, 1)[1].split("</ul>", 1)[0] if marker in html else ""


def test_an_admin_changes_a_role_it_is_audited_and_ends_open_sessions(app):
    client, _ = signed_in_admin(app)
    uid = make_user(app, "zhang", "editor")
    zhang = app.test_client()
    login(zhang, "zhang")
    assert zhang.get("/admin/review").status_code == 403  # editors do not review

    r = client.post(f"/admin/users/{uid}/role", data={"csrf_token": page_token(client, "/admin/users"),
                                                      "role": "reviewer"})
    assert r.status_code == 302
    assert "已把“zhang”的角色从编辑改为审核员" in client.get("/admin/users").get_data(as_text=True)
    assert role_of(app, uid) == "reviewer"
    assert zhang.get("/admin/review").status_code == 302  # the open session ended ...
    login(zhang, "zhang")
    assert zhang.get("/admin/review").status_code == 200  # ... and the new one has the new role
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "user",
                                                       AuditLog.object_id == str(uid),
                                                       AuditLog.action == "update"))
        assert row.actor == "boss" and row.before == {"role": "editor"}
        assert row.after == {"name": "zhang", "role": "reviewer"}
    audit = client.get(f"/admin/audit?object_type=user&object_text={uid}").get_data(as_text=True)
    assert "审核员" in audit and "编辑" in audit


def test_unknown_role_is_refused_next_to_the_row(app):
    client, _ = signed_in_admin(app)
    uid = make_user(app, "li", "viewer")
    r = client.post(f"/admin/users/{uid}/role", data={"csrf_token": page_token(client, "/admin/users"),
                                                      "role": "root"})
    assert r.status_code == 400 and "角色应为" in error_next_to_role(r.get_data(as_text=True), uid)
    assert role_of(app, uid) == "viewer"


def test_the_last_enabled_admin_cannot_demote_themselves(app):
    client, me = signed_in_admin(app)
    token = page_token(client, "/admin/users")
    r = client.post(f"/admin/users/{me}/role", data={"csrf_token": token, "role": "editor"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "最后一个启用的管理员" in error_next_to_role(html, me)
    assert "<option value=\"editor\" selected>" in html.split(f'id="role-{me}"', 1)[1]  # choice kept
    assert role_of(app, me) == "admin"
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "update")) is None

    # a disabled second admin does not count: still the last enabled one
    other = make_user(app, "old-admin", "admin")
    with app.app_context():
        from kiosk.services import accounts
        accounts.set_disabled(db.session, db.session.get(User, other), True, actor="test")
        db.session.commit()
    r = client.post(f"/admin/users/{me}/role", data={"csrf_token": token, "role": "editor"})
    assert r.status_code == 400 and role_of(app, me) == "admin"


def test_with_a_second_admin_one_may_step_down_and_loses_the_page(app):
    client, me = signed_in_admin(app)
    make_user(app, "second", "admin")
    r = client.post(f"/admin/users/{me}/role", data={"csrf_token": page_token(client, "/admin/users"),
                                                     "role": "reviewer"})
    assert r.status_code == 302 and r.location.endswith("/admin/")
    assert role_of(app, me) == "reviewer"
    assert client.get("/admin/users").status_code == 403


def test_the_same_role_changes_nothing(app):
    client, _ = signed_in_admin(app)
    uid = make_user(app, "wu", "editor")
    r = client.post(f"/admin/users/{uid}/role", data={"csrf_token": page_token(client, "/admin/users"),
                                                      "role": "editor"})
    assert r.status_code == 302
    assert "未作修改" in client.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditLog).where(AuditLog.action == "update")) is None
