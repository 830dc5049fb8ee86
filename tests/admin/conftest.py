"""Helpers for the staff panel tests: users of every role, real CSRF tokens, form logins."""

from __future__ import annotations

import re
from html import unescape

import pytest

from kiosk.extensions import db
from kiosk.services.users import add_user

PASSWORD = "correct-horse-42"
ROLES = ("admin", "reviewer", "editor", "viewer")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return unescape(match.group(1))


def make_user(app, name: str, role: str = "admin", password: str = PASSWORD) -> int:
    with app.app_context():
        user = add_user(db.session, name, role, password, actor="test")
        db.session.commit()
        return user.id


def login(client, name: str, password: str = PASSWORD, **extra):
    """Sign in through the real form (GET for the token, POST with it)."""
    token = csrf_from(client.get("/admin/login").text)
    return client.post("/admin/login", data={"csrf_token": token, "name": name, "password": password},
                       **extra)


def client_as(app, name: str):
    """A test client signed in as ``name`` (through the real login form)."""
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def page_token(client, path: str = "/admin/") -> str:
    return csrf_from(client.get(path).text)


def text_of(response) -> str:
    """The page with tags removed and entities decoded (for plain-language assertions)."""
    return unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def staff(app):
    """One user per role, named after the role; returns {role: user id}."""
    return {role: make_user(app, role, role) for role in ROLES}


@pytest.fixture
def demo_staff(demo_app):
    return {role: make_user(demo_app, role, role) for role in ROLES}
