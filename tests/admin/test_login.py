"""Sign-in, lockout, idle expiry, sign-out, CSRF and the audit trail of the staff panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk.extensions import db
from kiosk.models import AuditLog, User, utcnow
from kiosk.services import accounts

from .conftest import PASSWORD, csrf_from, login, make_user, page_token, text_of


def audit_actions(app, actor: str | None = None) -> list[tuple[str, str]]:
    with app.app_context():
        stmt = select(AuditLog).order_by(AuditLog.id)
        if actor:
            stmt = stmt.where(AuditLog.actor == actor)
        return [(row.action, (row.after or {}).get("reason", "")) for row in db.session.scalars(stmt)]


def user_row(app, name: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == name))
        db.session.expunge(user)
        return user


@pytest.fixture
def clock(monkeypatch):
    """The accounts clock, movable by tests (no sleeping)."""

    class Clock:
        now = utcnow()

        def advance(self, **delta) -> None:
            self.now = self.now + timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(accounts, "current_time", lambda: c.now)
    return c


def test_login_page_is_chinese_with_a_csrf_token(client):
    r = client.get("/admin/login")
    assert r.status_code == 200
    assert "工作人员登录" in r.text and "用户名" in r.text and "密码" in r.text
    assert csrf_from(r.text)
    assert 'lang="zh-CN"' in r.text
    assert "vendor/noto-sans-sc/noto-sans-sc.css" in r.text and "admin/admin.css" in r.text


def test_login_works_and_lands_on_the_dashboard(app, client):
    make_user(app, "zhang", "editor")
    r = login(client, "zhang")
    assert r.status_code == 302 and r.location == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200 and "概览" in page.text and "zhang" in page.text
    assert ("login", "") in audit_actions(app, "zhang")


def test_session_cookie_is_httponly_and_samesite_lax(app, client):
    make_user(app, "zhang", "editor")
    r = login(client, "zhang")
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # mirrors the idle limit; the server checks it as well


def test_wrong_password_and_unknown_name_get_the_same_answer(app, client):
    make_user(app, "zhang", "editor")
    wrong = login(client, "zhang", "wrong-password-1")
    unknown = login(client, "nobody-here", "wrong-password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert "用户名或密码不正确" in wrong.text
    assert text_of(wrong).replace("zhang", "X") == text_of(unknown).replace("nobody-here", "X")
    assert client.get("/admin/").status_code == 302  # still signed out
    assert ("login_failed", "password") in audit_actions(app, "zhang")


def throttle_rows(app, name: str) -> list[tuple[str, int]]:
    from kiosk.models import LoginThrottle

    with app.app_context():
        return [(r.client, r.failures) for r in db.session.scalars(
            select(LoginThrottle).where(LoginThrottle.name == name).order_by(LoginThrottle.client))]


OTHER_ADDRESS = {"environ_base": {"REMOTE_ADDR": "10.1.2.3"}}


@pytest.mark.reliability('Lockout as a weapon', '5+ wrong passwords for an account from one address', 'that address waits 1, 2 … 15 min; the owner at another address signs in at once')
def test_five_bad_passwords_pause_only_that_client_with_a_doubling_wait(app, client, clock):
    make_user(app, "zhang", "editor")
    for attempt in range(1, 5):
        r = login(client, "zhang", f"wrong-password-{attempt}")
        assert "用户名或密码不正确" in r.text
    assert "再输错 1 次" in r.text  # the page warns before the pause
    r = login(client, "zhang", "wrong-password-5")
    assert "已暂停用该用户名登录" in r.text and "联系管理员解锁" in r.text
    # the right password from the same client is refused while the pause lasts ...
    r = login(client, "zhang", PASSWORD)
    assert r.status_code == 200 and "已暂停" in r.text
    assert client.get("/admin/").status_code == 302
    # ... but the owner at another address signs in at once
    owner = app.test_client()
    assert login(owner, "zhang", **OTHER_ADDRESS).status_code == 302
    clock.advance(seconds=59)
    assert "已暂停" in login(client, "zhang", PASSWORD).text
    clock.advance(seconds=2)  # the first pause is one minute; a mistake now doubles it
    assert "已暂停" in login(client, "zhang", "wrong-password-6").text
    clock.advance(minutes=1, seconds=30)
    assert "已暂停" in login(client, "zhang", PASSWORD).text
    clock.advance(seconds=31)
    r = login(client, "zhang", PASSWORD)
    assert r.status_code == 302 and r.location == "/admin/"
    assert throttle_rows(app, "zhang") == []  # a success clears that client's count
    actions = [a for a, _ in audit_actions(app, "zhang")]
    assert actions == (["login_failed"] * 4 + ["lockout", "login_refused", "login", "login_refused",
                                                "lockout", "login_refused", "login"])


def test_an_admin_unlock_lets_every_client_try_again(app, client):
    make_user(app, "boss", "admin")
    make_user(app, "zhang", "editor")
    for attempt in range(5):
        login(client, "zhang", f"bad-{attempt}")
    assert "已暂停" in login(client, "zhang", PASSWORD).text
    boss = app.test_client()
    assert login(boss, "boss", **OTHER_ADDRESS).status_code == 302
    users_page = boss.get("/admin/users").text
    assert "1 个来源暂停登录" in users_page and "127.0.0.1" in users_page
    uid = user_row(app, "zhang").id
    r = boss.post(f"/admin/users/{uid}/unlock", data={"csrf_token": page_token(boss, "/admin/users")})
    assert r.status_code == 302
    assert login(client, "zhang").status_code == 302


@pytest.mark.reliability('User-name probing', 'wrong passwords for a real and a made-up name', 'identical pages')
def test_unknown_names_lock_too_so_the_page_does_not_tell_which_names_exist(app, client, clock):
    make_user(app, "zhang", "editor")
    for attempt in range(5):
        real = login(client, "zhang", f"bad-{attempt}")
        ghost = login(client, "ghost", f"bad-{attempt}")
        assert text_of(real).replace("zhang", "X") == text_of(ghost).replace("ghost", "X")
    assert "已暂停" in ghost.text
    assert ("lockout", "unknown_user") in audit_actions(app, "ghost")


def test_a_successful_login_resets_the_failure_count(app, client):
    make_user(app, "zhang", "editor")
    for attempt in range(4):
        login(client, "zhang", f"bad-{attempt}")
    assert throttle_rows(app, "zhang") == [("127.0.0.1", 4)]
    assert login(client, "zhang").status_code == 302
    assert throttle_rows(app, "zhang") == []
    client.post("/admin/logout", data={"csrf_token": page_token(client)})
    for attempt in range(4):  # four more mistakes do not lock: the count started again
        login(client, "zhang", f"bad-{attempt}")
    assert login(client, "zhang").status_code == 302


def test_lockout_logic_with_injected_time(app):
    """The service on its own: time and client address are parameters, nothing sleeps."""
    make_user(app, "li", "viewer")
    t0 = utcnow()
    here, there = "192.0.2.1", "192.0.2.2"
    with app.app_context():
        for i in range(4):
            result = accounts.attempt_login(db.session, "li", "nope", now=t0 + timedelta(seconds=i), ip=here)
            assert result.outcome == "invalid" and result.attempts_left == 4 - i
        result = accounts.attempt_login(db.session, "li", "nope", now=t0 + timedelta(seconds=5), ip=here)
        assert result.outcome == "locked"
        assert result.locked_until == t0 + timedelta(seconds=5, minutes=1)
        right = accounts.attempt_login(db.session, "li", PASSWORD, now=t0 + timedelta(seconds=30), ip=here)
        assert right.outcome == "locked"
        elsewhere = accounts.attempt_login(db.session, "li", PASSWORD, now=t0 + timedelta(seconds=30), ip=there)
        assert elsewhere.ok
        # after a pause every further mistake pauses again, twice as long, up to 15 minutes
        waits = []
        now = t0 + timedelta(minutes=2)
        for _ in range(6):
            r = accounts.attempt_login(db.session, "li", "nope", now=now, ip=here)
            assert r.outcome == "locked"
            waits.append(round((r.locked_until - now).total_seconds() / 60))
            now = r.locked_until + timedelta(seconds=1)
        assert waits == [2, 4, 8, 15, 15, 15]
        later = accounts.attempt_login(db.session, "li", PASSWORD, now=now, ip=here)
        assert later.ok
        # unknown names: the same sequence of answers
        outcomes = [accounts.attempt_login(db.session, "ghost", "x", now=t0, ip=here).outcome
                    for _ in range(6)]
        assert outcomes == ["invalid"] * 4 + ["locked", "locked"]
        after = accounts.attempt_login(db.session, "ghost", "x", now=t0 + timedelta(minutes=1, seconds=1), ip=here)
        assert after.outcome == "locked"  # like a real account: the next mistake pauses again
        db.session.rollback()


def test_disabled_users_cannot_log_in_and_their_sessions_end(app):
    make_user(app, "boss", "admin")
    victim = make_user(app, "zhang", "editor")
    boss, zhang = app.test_client(), app.test_client()
    assert login(zhang, "zhang").status_code == 302
    assert login(boss, "boss").status_code == 302
    r = boss.post(f"/admin/users/{victim}/disable", data={"csrf_token": page_token(boss, "/admin/users")})
    assert r.status_code == 302
    assert zhang.get("/admin/").status_code == 302  # the open session ended
    r = login(zhang, "zhang")
    assert r.status_code == 200 and "该账户已停用" in r.text
    assert ("login_refused", "disabled") in audit_actions(app, "zhang")
    # a wrong password on a disabled account says nothing about the account
    assert "用户名或密码不正确" in login(zhang, "zhang", "wrong-password-1").text


def test_idle_sessions_expire_after_thirty_minutes(app, client, clock):
    make_user(app, "zhang", "editor")
    login(client, "zhang")
    clock.advance(minutes=29)
    assert client.get("/admin/").status_code == 200  # activity moves the deadline
    clock.advance(minutes=29)
    assert client.get("/admin/").status_code == 200
    clock.advance(minutes=30, seconds=1)
    r = client.get("/admin/users")
    assert r.status_code == 302 and r.location.startswith("/admin/login")
    page = client.get(r.location)
    assert "30 分钟未操作" in page.text
    assert client.get("/admin/").status_code == 302
    assert ("logout", "idle") in audit_actions(app, "zhang")


def test_idle_check_uses_the_server_side_timestamp_not_the_cookie_lifetime(app, client):
    make_user(app, "zhang", "editor")
    login(client, "zhang")
    with client.session_transaction() as sess:  # a cookie replayed after 31 idle minutes
        sess["admin_seen"] -= 31 * 60
    assert client.get("/admin/").status_code == 302
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


def test_logout_is_a_post_with_csrf_and_is_audited(app, client):
    make_user(app, "zhang", "editor")
    login(client, "zhang")
    assert client.get("/admin/logout").status_code == 405
    assert client.post("/admin/logout").status_code == 400  # no CSRF token: refused
    assert client.get("/admin/").status_code == 200
    r = client.post("/admin/logout", data={"csrf_token": page_token(client)})
    assert r.status_code == 302 and r.location == "/admin/login"
    assert "您已安全退出" in client.get("/admin/login").text
    assert client.get("/admin/").status_code == 302
    assert ("logout", "logout") in audit_actions(app, "zhang")


def test_missing_or_wrong_csrf_token_is_refused_with_400(app, client):
    make_user(app, "boss", "admin")
    r = client.post("/admin/login", data={"name": "boss", "password": PASSWORD})
    assert r.status_code == 400 and "页面已过期" in r.text
    assert client.get("/admin/").status_code == 302  # not signed in
    r = client.post("/admin/login", data={"name": "boss", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 400
    login(client, "boss")
    r = client.post("/admin/users", data={"name": "x", "role": "viewer", "password": "abcdefghij1",
                                          "confirm": "abcdefghij1"})
    assert r.status_code == 400 and "页面已过期" in r.text
    with app.app_context():
        assert db.session.scalar(select(User).where(User.name == "x")) is None


def test_the_json_api_is_exempt_from_csrf(app):
    from kiosk.services.users import create_token

    make_user(app, "api", "admin")
    with app.app_context():
        _, plain = create_token(db.session, "api", actor="test")
        db.session.commit()
    r = app.test_client().post("/api/v1/alerts", json={"text": "测试", "level": "info"},
                                    headers={"Authorization": f"Bearer {plain}"})
    assert r.status_code == 201, r.get_data(as_text=True)


def test_next_parameter_returns_to_the_page_but_never_to_another_site(app, client):
    make_user(app, "boss", "admin")
    r = client.get("/admin/tokens")
    assert r.status_code == 302 and "next=" in r.location
    token = csrf_from(client.get(r.location).text)
    done = client.post(r.location, data={"csrf_token": token, "name": "boss", "password": PASSWORD})
    assert done.location == "/admin/tokens"
    client.post("/admin/logout", data={"csrf_token": page_token(client)})
    for evil in ("//evil.example/admin", "https://evil.example/admin", "/\\evil.example"):
        token = csrf_from(client.get("/admin/login").text)
        r = client.post("/admin/login", query_string={"next": evil},
                        data={"csrf_token": token, "name": "boss", "password": PASSWORD})
        assert r.location == "/admin/", evil
        client.post("/admin/logout", data={"csrf_token": page_token(client)})


def test_a_password_reset_ends_the_accounts_other_sessions(app):
    make_user(app, "boss", "admin")
    target = make_user(app, "zhang", "editor")
    boss, zhang = app.test_client(), app.test_client()
    login(boss, "boss")
    login(zhang, "zhang")
    token = page_token(boss, f"/admin/users/{target}/password")
    r = boss.post(f"/admin/users/{target}/password",
                  data={"csrf_token": token, "password": "new-password-77", "confirm": "new-password-77"})
    assert r.status_code == 302
    assert zhang.get("/admin/").status_code == 302
    assert login(zhang, "zhang", "new-password-77").status_code == 302


def test_changing_ones_own_password_keeps_the_session(app, client):
    make_user(app, "zhang", "editor")
    login(client, "zhang")
    token = page_token(client, "/admin/account")
    r = client.post("/admin/account", data={"csrf_token": token, "old_password": "wrong-one-11",
                                            "password": "another-pass-9", "confirm": "another-pass-9"})
    assert r.status_code == 400 and "当前密码不正确" in r.text
    r = client.post("/admin/account", data={"csrf_token": token, "old_password": PASSWORD,
                                            "password": "another-pass-9", "confirm": "another-pass-9"})
    assert r.status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/admin/logout", data={"csrf_token": page_token(client)})
    assert login(client, "zhang", "another-pass-9").status_code == 302
