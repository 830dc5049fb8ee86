"""The staff panel's live preview in real Chromium against a real ``kiosk serve``.

An admin opens 屏幕管理 and previews a screen nobody has switched on: the preview plays that
screen's content at the screen's own size, and the screen still shows 离线 with nothing
reported — the preview is a watcher (``?mirror=1``), not the device.
"""

from __future__ import annotations

import time

import pytest
import requests

from .browser import ARTIFACTS, launch_chromium
from .live import LiveServer

pytestmark = pytest.mark.browser

SIZES = {"led_wall": (1920, 1080), "window": (1280, 720), "kiosk": (1080, 1920), "led_strip": (480, 64)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("mirror-live")).start()
    yield srv
    srv.stop()


def test_the_preview_plays_the_screen_at_its_size_and_leaves_it_offline(server: LiveServer):
    name, password = (server.data_dir / "initial-admin.txt").read_text("utf-8").split()[:2]
    screens = server.screens()
    kiosk = next(s for s in screens if s["kind"] == "kiosk")
    with launch_chromium() as browser:
        panel = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        panel.goto(f"{server.url}/admin/login")
        panel.fill("#name", name)
        panel.fill("#password", password)
        panel.click("button:has-text('登录')")
        panel.wait_for_url(f"{server.url}/admin/")
        panel.goto(f"{server.url}/admin/screens")
        panel.wait_for_selector("body[data-live=true]", timeout=10000)

        # every preview is drawn at its screen's layout size
        for s in screens:
            box = panel.locator(f"tr[data-screen-id='{s['id']}'] .mirror")
            assert (int(box.get_attribute("data-mirror-w")), int(box.get_attribute("data-mirror-h"))) \
                == SIZES[s["kind"]], s
            assert box.get_attribute("data-mirror-src").endswith("?mirror=1")

        row = panel.locator(f"tr[data-screen-id='{kiosk['id']}']")
        row.locator("button:has-text('预览画面')").click()
        frame_el = row.locator("iframe[data-testid=mirror]")
        frame_el.wait_for()
        size = frame_el.evaluate("f => [f.style.width, f.style.height, f.parentNode.offsetWidth, f.parentNode.offsetHeight]")
        assert size[:2] == ["1080px", "1920px"]
        assert size[3] == 160 and 88 <= size[2] <= 92  # scaled to fit 240×160, portrait kept
        frame = frame_el.element_handle().content_frame()
        frame.wait_for_selector(".slide-layer.current[data-item]", timeout=15000)
        frame.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'true'",
                                timeout=15000)
        assert "layout-kiosk" in frame.get_attribute("#stage", "class")
        # the content is the screen's own: an item of the segment playing now on that screen
        state = requests.get(f"{server.url}/screen/{kiosk['token']}/state", timeout=5).json()
        shown = frame.evaluate("document.querySelector('.slide-layer.current').dataset.item")
        playing = {i["id"] for seg in state["timeline"][:2] for i in seg["items"]}
        assert shown in playing, (shown, playing)
        assert frame.evaluate("document.fonts.check('32px \"Noto Sans SC\"')")
        # a watcher keeps nothing in the staff browser
        assert frame.evaluate("window.kioskScreen.mirror") is True
        assert frame.evaluate("Object.keys(localStorage).filter(k => k.startsWith('kiosk-'))") == []
        assert frame.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0

        time.sleep(2.5)  # several presence flushes (0.5 s in tests) while the preview plays
        assert row.locator("[data-field=online]").inner_text().strip() == "离线"
        again = next(s for s in server.screens() if s["id"] == kiosk["id"])
        assert (again["online"], again["version"], again["showing"], again["last_seen_at"]) \
            == (False, None, None, None)
        panel.screenshot(path=str(ARTIFACTS / "admin-screens-mirror.png"))

        # the device itself, by contrast, counts at once
        device = browser.new_page(viewport={"width": 540, "height": 960})
        device.goto(f"{server.url}/screen/{kiosk['token']}")
        row.locator("[data-field=online]:has-text('在线')").wait_for(timeout=10000)
        device.close()
