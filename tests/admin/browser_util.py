"""What the panel's Chromium tests share: a live server with staff accounts, signing in,
the check that the page's Chinese comes from the vendored font, the screenshots that
docs/staff-panel.md shows, and the checks that typed-in markup stayed inert."""

from __future__ import annotations

import os
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
    """Screenshot ``page`` as ``test-artifacts/<name>.png``, and as ``docs/screenshots/<name>.png``
    when ``KIOSK_DOC_SHOTS=1`` (``make docs-shots``).

    The one place the docs' pictures come from, so that they are taken from the pages
    themselves and never drift; an ordinary test run leaves docs/ alone (every run would
    otherwise rewrite the PNGs: the clock and versions on the pages change). Waits for the
    web font first (a screenshot taken before Noto Sans SC loaded shows a fallback font or
    blank boxes) and moves the mouse away so no hover state is pictured."""
    assert name.replace("-", "").isalnum(), name  # stable, plain file names
    page.evaluate("document.fonts.ready.then(() => true)")
    page.mouse.move(0, 0)
    shot = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(shot), full_page=full_page)
    if os.environ.get("KIOSK_DOC_SHOTS") != "1":
        return shot
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(shot, DOC_SHOTS / f"{name}.png"))


def png_bytes(width: int = 320, height: int = 200, rgb: tuple[int, int, int] = (230, 236, 245)) -> bytes:
    """A real PNG (one flat colour with a darker frame), for the 样表 uploads the browser
    shows: the server checks the signature, the browser must be able to draw it."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    dark = bytes(c // 2 for c in rgb)
    rows = []
    for y in range(height):
        edge = y < 6 or y >= height - 6
        row = b"".join(dark if edge or x < 6 or x >= width - 6 else bytes(rgb) for x in range(width))
        rows.append(b"\x00" + row)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


# A minimal PDF (one empty page) for the 空表 uploads.
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")


def pair_device(browser, url: str, admin: tuple[str, str], *, name: str, group: str,
                kind: str = "led_wall", viewport: dict | None = None):
    """A new device opens /screen, shows its 6-digit code; the admin types it into the pairing
    form. Returns (device page playing on its own, panel page signed in as the admin)."""
    device = browser.new_page(viewport=viewport or {"width": 1920, "height": 1080}, locale="zh-CN")
    device.goto(f"{url}/screen")
    device.wait_for_selector("[data-testid=pair-code][data-code]:not([data-code=''])")
    code = device.get_attribute("[data-testid=pair-code]", "data-code")
    assert code and len(code) == 6 and code.isdigit(), code
    panel = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
    panel.goto(f"{url}/admin/screens/pair")
    fill_login(panel, *admin)
    panel.wait_for_selector("[data-testid=pair-form]")
    panel.fill("#code", code)
    panel.fill("[name=name]", name)
    panel.fill("#group", group)
    panel.select_option("#kind", kind)
    panel.click("[data-testid=pair-form] button[type=submit]")
    panel.wait_for_selector("text=已配对")
    device.wait_for_url(f"{url}/screen/*", timeout=20000)  # nobody touches the device
    return device, panel


def initial_admin(srv: LiveServer) -> tuple[str, str]:
    """The demo admin ``kiosk serve`` created on first start (name, password)."""
    name, password = (srv.data_dir / "initial-admin.txt").read_text("utf-8").split()[:2]
    return name, password


# -- typed-in markup must stay text ------------------------------------------------------------
XSS_IMG = "<img src=x onerror=window.__xss=1>"
XSS_SCRIPT = '"><script>window.__xss=1</script>'
XSS = XSS_IMG + XSS_SCRIPT  # an element, and a way out of an attribute value into a script
# what a payload that escaped its text would have created (the screen page's own state and
# config are <script type="application/json">)
INJECTED = ("img[src=x]", "script:not([src]):not([type='application/json'])", "[onerror]",
            "[onfocus]", "[onclick]", "[onmouseover]", "[autofocus][onfocus]", "a[href^='javascript:' i]")


def watch_dialogs(page, dialogs: list[str], confirms: tuple[str, ...] = ()):
    """Record (and dismiss) every alert/confirm a page opens — a payload must open none —
    except the panel's own "are you sure?" questions in ``confirms``, which are accepted."""
    def handle(dialog) -> None:
        if dialog.type == "confirm" and dialog.message in confirms:
            dialog.accept()
        else:
            dialogs.append(dialog.message)
            dialog.dismiss()

    page.on("dialog", handle)
    return page


def assert_inert(page, *texts: str, scope: str = "body", images_ok: bool = False) -> None:
    """Each of ``texts`` is shown as text inside ``scope``; nothing a payload would create
    exists there; and no handler ran (``window.__xss`` stays undefined; the panel's CSP would
    also block a handler, so the element check is the one that proves the escaping).
    ``images_ok``: a rich-text notice body may keep ``<img src=x>`` — nh3 allows a relative
    image — but never its handler."""
    where = page.url
    assert page.evaluate("() => typeof window.__xss") == "undefined", where
    checks = [css for css in INJECTED if not (images_ok and css == "img[src=x]")]
    selector = ", ".join(f"{scope} {css}" for css in checks)
    assert page.locator(selector).count() == 0, (where, page.locator(selector).first.evaluate("e => e.outerHTML"))
    shown = page.inner_text(scope)
    for text in texts:
        assert text in shown, (where, text)
