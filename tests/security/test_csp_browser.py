"""The screen, kiosk, pairing and phone pages keep working under their Content-Security-Policy
(issue 10): Chromium enforces it, the page plays, and no violation is reported."""

from __future__ import annotations

import pytest

from ..browser import launch_chromium
from ..live import LiveServer

pytestmark = pytest.mark.browser

RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || e.sample || '')));
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("csp")).start()
    yield srv
    srv.stop()


@pytest.mark.reliability("Pages under their CSP", "Chromium opens a wall, a kiosk, the pairing page and a phone page",
                         "they render, the socket connects, no CSP violation")
def test_public_pages_play_under_their_policy_without_violations(server):
    screens = {s["kind"]: s["token"] for s in server.screens()}
    with launch_chromium() as browser:
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        context.add_init_script(RECORD)  # injected through DevTools, not subject to the page's CSP
        page = context.new_page()
        response = page.goto(f"{server.url}/screen/{screens['led_wall']}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".slide-layer.current[data-item]")
        page.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'true'")
        page.wait_for_function("() => document.fonts.check('32px \"Noto Sans SC\"')")
        kiosk = context.new_page()
        kiosk.goto(f"{server.url}/screen/{screens['kiosk']}")
        kiosk.wait_for_function("() => window.kioskTouchReady === true")
        pairing = context.new_page()
        pairing.goto(f"{server.url}/screen")
        pairing.wait_for_function("() => /\\d{3}\\s?\\d{3}/.test(document.body.innerText)")
        guide = kiosk.evaluate("() => fetch('/api/v1/guides?q=sfz').then(r => r.json())")["guides"][0]
        phone = context.new_page()
        phone.goto(f"{server.url}/g/{guide['code']}")
        phone.wait_for_selector("h1")
        for p in (page, kiosk, pairing, phone):
            assert p.evaluate("() => window.__csp") == [], p.url
        context.close()
