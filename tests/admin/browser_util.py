"""What the panel's Chromium tests share: a live server with staff accounts, signing in,
the check that the page's Chinese comes from the vendored font, the screenshots that
docs/staff-panel.md shows, and the checks that typed-in markup stayed inert."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..browser import ARTIFACTS
from ..live import LiveServer

DOC_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

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


def save_doc_shot(page, name: str, *, full_page: bool = True) -> Path:
    """Screenshot ``page`` as ``docs/screenshots/<name>.png`` (and the same in test-artifacts/).

    The one place the docs' pictures come from, so that they are retaken on every browser run
    and never drift from the pages they show. Waits for the web font first (a screenshot
    taken before Noto Sans SC loaded shows a fallback font or blank boxes) and moves the
    mouse away so no hover state is pictured."""
    assert name.replace("-", "").isalnum(), name  # stable, plain file names
    page.evaluate("document.fonts.ready.then(() => true)")
    page.mouse.move(0, 0)
    shot = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(shot), full_page=full_page)
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(shot, DOC_SHOTS / f"{name}.png"))
