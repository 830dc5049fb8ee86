"""Emergency alert in real Chromium against a real ``kiosk serve``, as the duty officer does it:
sign in, compose, preview, send; the lobby wall shows it; the acknowledgement list turns to
"已收到" on the open page without a reload; cancel; the wall no longer shows it.

Screenshots: ``docs/screenshots/admin-alerts.png`` (the page with the live acknowledgement)
and ``test-artifacts/screen-alert.png`` (the wall with the alert).
"""

from __future__ import annotations

import pytest

from ..browser import ARTIFACTS, launch_chromium
from ..live import LiveServer
from .browser_util import save_doc_shot

pytestmark = pytest.mark.browser
TEXT = "大厅临时停电，请有序离场<script>window.__pwned=1</script>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("alerts-live")).start()
    yield srv
    srv.stop()


def test_send_acknowledge_and_cancel_an_alert(server):
    name, password = (server.data_dir / "initial-admin.txt").read_text("utf-8").split()[:2]
    wall = next(s for s in server.screens() if s["kind"] == "led_wall")
    with launch_chromium() as browser:
        screen = browser.new_page(viewport={"width": 1920, "height": 1080})
        screen.goto(f"{server.url}/screen/{wall['token']}")
        screen.wait_for_selector(".slide-layer.current", timeout=20000)

        panel = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        panel.on("dialog", lambda dialog: dialog.accept())  # "确定撤销这条通知？"
        panel.goto(f"{server.url}/admin/alerts")
        panel.fill("#name", name)
        panel.fill("#password", password)
        panel.click("button:has-text('登录')")
        form = panel.wait_for_selector("[data-testid=alert-form]")
        panel.fill("textarea[name=text]", TEXT)
        panel.check("input[name=level][value=critical]")
        panel.check(f"input[name=groups][value='{wall['group']}']")
        panel.fill("input[name=expires]", "30")
        panel.click("button[value=preview]")
        panel.wait_for_selector("[data-testid=alert-preview-frame]")
        assert screen.locator(".alert").count() == 0, "a preview must not reach the screens"

        form = panel.locator("[data-testid=alert-form]")
        form.locator("[data-testid=alert-send]").click()
        row = panel.locator("[data-testid=active-alerts] tr[data-alert-id]").first
        row.wait_for()

        # the wall shows it, as text (the payload is inert)
        shown = screen.wait_for_selector(".alert-critical .alert-line", timeout=10000)
        assert "大厅临时停电，请有序离场<script>" in shown.inner_text()
        assert screen.evaluate("window.__pwned") is None
        screen.evaluate("document.fonts.ready")
        screen.screenshot(path=str(ARTIFACTS / "screen-alert.png"))

        # the acknowledgement arrives on the open page (heartbeat right after the state)
        panel.wait_for_selector("body[data-live=true]", timeout=10000)
        item = row.locator(f"li[data-screen='{wall['name']}']")
        item.locator("text=已收到").wait_for(timeout=20000)
        assert item.get_attribute("data-ack") == "yes"
        assert int(row.locator("[data-ack-count]").inner_text()) >= 1
        save_doc_shot(panel, "admin-alerts")

        row.locator("[data-testid=alert-cancel]").click()
        panel.wait_for_selector("text=目前没有正在显示的通知")
        screen.wait_for_selector(".alert", state="detached", timeout=10000)
        assert screen.locator(".slide-layer.current").count() == 1
