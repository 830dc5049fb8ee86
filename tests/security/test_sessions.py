"""Panel sessions end on the server (issue 10): a saved cookie is dead after sign-out, after a
password change or reset, after disabling (even once re-enabled) and after a role change;
API tokens can expire; cookies are Secure behind https."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk import create_app
from kiosk.extensions import db
from kiosk.models import ApiToken, User
from kiosk.services import accounts
from kiosk.services.users import create_token

from ..admin.conftest import PASSWORD, login, make_user, page_token


def saved_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh browser that was handed a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/admin/")


@pytest.mark.reliability('Replayed session cookie', 'copy the cookie, sign out, replay it in another browser', '302 to the login page')
def test_a_cookie_saved_before_sign_out_opens_nothing_afterwards(app):
    make_user(app, "zhang", "editor")
    client = app.test_client()
    assert login(client, "zhang").status_code == 302
    cookie = saved_cookie(client)
    assert replay(app, cookie).status_code == 200  # the copy works while signed in
    client.post("/admin/logout", data={"csrf_token": page_token(client)})
    assert replay(app, cookie).status_code == 302  # dead after sign-out


@pytest.mark.reliability('Session of a re-enabled account', 'disable, enable, replay the old cookie', 'dead; a new sign-in works')
def test_disable_then_enable_does_not_bring_an_old_session_back(app):
    make_user(app, "boss", "admin")
    uid = make_user(app, "zhang", "editor")
    zhang, boss = app.test_client(), app.test_client()
    login(zhang, "zhang")
    login(boss, "boss")
    cookie = saved_cookie(zhang)
    token = page_token(boss, "/admin/users")
    boss.post(f"/admin/users/{uid}/disable", data={"csrf_token": token})
    boss.post(f"/admin/users/{uid}/enable", data={"csrf_token": token})
    assert replay(app, cookie).status_code == 302
    assert login(app.test_client(), "zhang").status_code == 302  # signing in again works


@pytest.mark.reliability('Sessions after a password change', 'two browsers, one changes the password', 'the other is signed out')
def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app):
    make_user(app, "zhang", "editor")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, "zhang")
    login(elsewhere, "zhang")
    r = here.post("/admin/account", data={"csrf_token": page_token(here, "/admin/account"),
                                          "old_password": PASSWORD, "password": "mulberry-tram-8841",
                                          "confirm": "mulberry-tram-8841"})
    assert r.status_code == 302, r.text
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302


@pytest.mark.reliability('Guessable passwords', 'password12, qwerty12345, zhang123456, laocheng2024, admin123456', 'refused with a reason (zxcvbn < 3)')
def test_guessable_passwords_are_refused_with_a_reason(app):
    make_user(app, "boss", "admin")
    client = app.test_client()
    login(client, "boss")
    for weak in ("password12", "qwerty12345", "zhang123456", "laocheng2024", "admin123456"):
        r = client.post("/admin/users", data={"csrf_token": page_token(client, "/admin/users"),
                                              "name": "zhang", "role": "viewer", "password": weak,
                                              "confirm": weak})
        assert r.status_code == 400 and "太容易被猜到" in r.text, weak
    with app.app_context():
        assert db.session.scalar(select(User).where(User.name == "zhang")) is None
    r = client.post("/admin/users", data={"csrf_token": page_token(client, "/admin/users"), "name": "zhang",
                                          "role": "viewer", "password": "mulberry-tram-8841",
                                          "confirm": "mulberry-tram-8841"})
    assert r.status_code == 302


@pytest.mark.reliability('Expired API token', 'a 30-day token used after its expiry', '401; last use recorded')
def test_api_tokens_expire_and_record_their_last_use(app, monkeypatch):
    make_user(app, "bot", "editor")
    with app.app_context():
        token, plain = create_token(db.session, "bot", label="叫号系统", actor="test", days=30)
        db.session.commit()
        token_id = token.id
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/screens", headers=headers).status_code != 401
    with app.app_context():
        row = db.session.get(ApiToken, token_id)
        assert row.last_used_at is not None
        assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30, minutes=1)
        row.expires_at = row.created_at - timedelta(seconds=1)  # as if 30 days had passed
        db.session.commit()
    r = client.get("/api/v1/screens", headers=headers)
    assert r.status_code == 401


@pytest.mark.reliability('Session cookie over https', 'KIOSK_PUBLIC_BASE_URL https:// vs http://', 'Secure flag exactly when https')
def test_cookies_are_secure_when_the_public_base_url_is_https(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_SECURE_COOKIES", raising=False)
    secure = create_app({"DATA_DIR": str(tmp_path), "PUBLIC_BASE_URL": "https://hall.example.cn",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}"})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    plain = create_app({"DATA_DIR": str(tmp_path), "PUBLIC_BASE_URL": "http://10.0.0.5:8000",
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.db'}"})
    assert plain.config["SESSION_COOKIE_SECURE"] is False
    for a in (secure, plain):
        with a.app_context():
            db.engine.dispose()


def test_sessions_are_rows_that_revocation_marks(app):
    uid = make_user(app, "zhang", "editor")
    client = app.test_client()
    login(client, "zhang")
    with app.app_context():
        user = db.session.get(User, uid)
        assert accounts.end_sessions(db.session, user, "test") == 1
        db.session.commit()
    assert client.get("/admin/").status_code == 302


@pytest.mark.reliability("Password guessing from one address", "11 failed sign-ins in a minute (the limit is 10)",
                         "429 with Retry-After before any hashing; successes and other addresses unaffected")
def test_failed_sign_ins_are_rate_limited_per_address(app):
    make_user(app, "zhang", "editor")
    client = app.test_client()
    for i in range(10):
        r = login(client, "ghost-" + str(i), "wrong-password-1")
        assert r.status_code == 200
    r = login(client, "zhang")  # the 11th attempt, even with the right password
    assert r.status_code == 429 and "秒后再试" in r.get_data(as_text=True)
    assert int(r.headers["Retry-After"]) > 0
    other = app.test_client()
    assert login(other, "zhang", environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code == 302
