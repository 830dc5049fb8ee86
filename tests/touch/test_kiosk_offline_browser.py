"""A kiosk whose server is gone keeps its guides and rotation and says what needs the network.

While idle the kiosk fetches every guide, bundle, QR code and 样表 once through the screen's
service worker; with the server killed it keeps browsing them (also guides it never opened,
also after a reload) and says plainly that search, handwriting and rating need the network.
"""

from __future__ import annotations

import pytest

from ..browser import ARTIFACTS
from .browser_kit import PORTRAIT, kiosk_server, open_kiosk, tap, tokens, wake

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def offline_srv(tmp_path_factory):
    srv = kiosk_server(tmp_path_factory, "kiosk-offline")
    yield srv
    srv.stop()


def browse_a_theme_guide(page) -> str:
    """Home → 个人办事 · 证件办理 → its last guide (one this visit never opened)."""
    tap(page, ".t-section-personal .t-tile[data-theme=证件办理]")
    page.locator(".t-list .t-guide-row").first.wait_for(state="visible")
    rows = page.locator(".t-list .t-guide-row")
    name = rows.nth(rows.count() - 1).locator(".t-row-title").inner_text()
    rows.nth(rows.count() - 1).scroll_into_view_if_needed()
    box = rows.nth(rows.count() - 1).bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".t-guide .t-h1", has_text=name).wait_for(state="visible")
    return name


def test_offline_the_kiosk_keeps_browsing_and_says_what_needs_the_network(offline_srv, chromium):
    page = open_kiosk(chromium, offline_srv.url, tokens(offline_srv)["竖屏测试自助机"], PORTRAIT)
    page.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'true'")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
    page.wait_for_function("() => kioskTouch.cat && kioskTouch.prefetched === kioskTouch.cat.version", timeout=60000)

    offline_srv.stop(hard=True)
    page.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'false'", timeout=15000)
    wake(page)
    page.locator("#touch-offline").wait_for(state="visible", timeout=5000)
    assert "搜索、手写和评价需要网络" in page.locator("#touch-offline").inner_text()

    name = browse_a_theme_guide(page)
    assert page.locator(".t-guide .t-material").count() >= 1
    page.wait_for_function("() => (() => { const i = document.querySelector('[data-testid=qr] img');"
                           " return i && i.complete && i.naturalWidth > 0; })()")
    # every character of it in our font: the font slices were kept with the guides
    assert page.evaluate("""(t) => document.fonts.check('700 40px "Noto Sans SC"', t)""", name)
    page.screenshot(path=str(ARTIFACTS / "kiosk-offline-guide.png"))

    # rating says it needs the network; so does search
    tap(page, "[data-testid=rate]")
    page.locator(".t-needs-net", has_text="提交评价需要网络").wait_for(state="visible")
    tap(page, "#touch-home")
    tap(page, "[data-testid=search-box]")
    tap(page, "[data-key=s]")
    page.locator(".t-results .t-needs-net", has_text="搜索需要网络").wait_for(state="visible")

    # a 样表 kept while online opens offline
    tap(page, "#touch-home")
    tap(page, ".t-section-departments .t-tile[data-department=gongan]")
    tap(page, ".t-list .t-guide-row:has-text('居民身份证换领')")
    tap(page, "[data-testid=open-sample]")
    page.wait_for_function("() => (() => { const i = document.querySelector('.t-form-img');"
                           " return i && i.complete && i.naturalWidth > 0; })()")
    tap(page, "[data-testid=close-form]")

    # even a reload while the server is down comes back to a browsable kiosk
    page.reload()
    page.wait_for_selector(".slide-layer.current[data-item]", timeout=15000)
    page.wait_for_function("() => window.kioskTouchReady === true && !!kioskTouch.cat", timeout=15000)
    wake(page)
    browse_a_theme_guide(page)
    assert page.errors == []
