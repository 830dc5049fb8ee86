"""Pairing in real Chromium against a real ``kiosk serve``: a device opens ``/screen`` and
shows a code; an admin types it in the panel; the device starts playing by itself, and the
screens page shows it online, live (and offline within seconds when its tab closes).

Screenshots (docs/screenshots/): ``admin-pairing.png`` (the form, with the device's code),
``admin-screens.png`` (the live list) and ``admin-pairing-device.png`` (the code screen).
"""

from __future__ import annotations

import time

import pytest

from ..browser import launch_chromium
from ..live import LiveServer
from .browser_util import save_doc_shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("pairing-live")).start()
    yield srv
    srv.stop()


def test_a_device_is_paired_from_the_panel_and_starts_playing(server):
    name, password = (server.data_dir / "initial-admin.txt").read_text("utf-8").split()[:2]
    with launch_chromium() as browser:
        device = browser.new_page(viewport={"width": 1280, "height": 720}, locale="zh-CN")
        device.goto(f"{server.url}/screen")
        device.wait_for_selector("[data-testid=pair-code][data-code]:not([data-code=''])")
        code = device.get_attribute("[data-testid=pair-code]", "data-code")
        assert code and len(code) == 6 and code.isdigit()
        assert "请在管理后台输入配对码" in device.inner_text("body")
        save_doc_shot(device, "admin-pairing-device", full_page=False)

        panel = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        panel.goto(f"{server.url}/admin/screens/pair")
        panel.fill("#name", name)
        panel.fill("#password", password)
        panel.click("button:has-text('登录')")
        panel.wait_for_selector("[data-testid=pair-form]")
        panel.fill("#code", code)
        panel.fill("[name=name]", "三楼新窗口屏")
        panel.fill("#group", "三楼")
        panel.select_option("#kind", "window")
        save_doc_shot(panel, "admin-pairing", full_page=False)
        panel.click("[data-testid=pair-form] button[type=submit]")
        panel.wait_for_selector("text=已配对")

        # nobody touches the device: it navigates to its page and plays
        device.wait_for_url(f"{server.url}/screen/*", timeout=20000)
        device.wait_for_selector(".slide-layer.current", timeout=20000)

        panel.wait_for_selector("body[data-live=true]", timeout=10000)
        row = panel.locator("tr", has_text="三楼新窗口屏")
        row.locator("text=在线").wait_for(timeout=10000)
        # the heartbeat fills in what it shows
        row.locator("[data-field=version] code").filter(has_not_text="—").wait_for(timeout=20000)
        save_doc_shot(panel, "admin-screens")

        # identify: the screen shows its name full-screen
        row.locator("button:has-text('识别')").click()
        panel.wait_for_selector("text=将全屏显示自己的名称")
        assert device.wait_for_selector("[data-testid=identify]", timeout=10000).inner_text() == "三楼新窗口屏"
        row = panel.locator("tr", has_text="三楼新窗口屏")

        # after a power cut the device's start page (/screen) leads back to its own page
        screen_url = device.url
        device.goto(f"{server.url}/screen")
        device.wait_for_url(screen_url, timeout=10000)
        device.wait_for_selector(".slide-layer.current", timeout=20000)
        row.locator("text=在线").wait_for(timeout=10000)

        started = time.monotonic()
        device.close()
        row.locator("text=离线").wait_for(timeout=5000)
        assert time.monotonic() - started <= 5
