"""What the panel's Chromium tests share: a live server with staff accounts, signing in,
and the check that the page's Chinese comes from the vendored font."""

from __future__ import annotations

from ..live import LiveServer

PASSWORD = "correct-horse-42"
# How many faces of the vendored Noto Sans SC the page has loaded (0: a system fallback).
FONT_LOADED = """
async () => {
  await document.fonts.ready;
  return [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Noto Sans SC'
                                         && f.status === 'loaded').length;
}
"""


def panel_server(tmp_path_factory, label: str, users: dict[str, str] | None = None) -> LiveServer:
    """A started ``kiosk serve`` on the demo, with ``users`` ({name: role}) added."""
    srv = LiveServer(tmp_path_factory.mktemp(label)).start()
    for name, role in (users or {}).items():
        srv.kiosk("users", "add", name, "--role", role, input=PASSWORD + "\n")
    return srv


def fill_login(page, name: str, password: str = PASSWORD) -> None:
    """Type into the login form already open and press 登录."""
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button:has-text('登录')")


def sign_in(page, url: str, name: str, password: str = PASSWORD) -> None:
    """Open the login page, sign in, and wait for the dashboard."""
    page.goto(f"{url}/admin/login")
    fill_login(page, name, password)
    page.wait_for_url(f"{url}/admin/")
