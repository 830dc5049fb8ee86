"""Lockdown: a visitor finds no way out of the kiosk — no context menu, no selection, no
long-press callout, no page zoom, no link to follow, no window to open, no history to go back
to — and a query the search cannot take is refused with a 4xx that names it."""

from __future__ import annotations

import pytest
import requests

from .browser_kit import PORTRAIT, Finger, open_kiosk, tap, tokens, wake

pytestmark = pytest.mark.browser


def test_no_way_out_of_the_kiosk(kiosk_srv, chromium):
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)["竖屏测试自助机"], PORTRAIT)
    url = page.url
    wake(page)
    tap(page, ".t-section-popular .t-guide-row")
    page.locator(".t-guide .t-material").first.wait_for(state="visible")

    # long press / right click: the menu is refused; text cannot be selected or called out
    prevented = page.evaluate("""() => {
        const target = document.querySelector('.t-guide .t-h1');
        const ev = new MouseEvent('contextmenu', {bubbles: true, cancelable: true});
        target.dispatchEvent(ev);
        const sel = new Event('selectstart', {bubbles: true, cancelable: true});
        target.dispatchEvent(sel);
        return [ev.defaultPrevented, sel.defaultPrevented];
    }""")
    assert prevented == [True, True]
    # (Chromium's long-press callout is its context menu, refused above)
    styles = page.evaluate("""() => { const s = getComputedStyle(document.querySelector('.t-guide .t-prose'));
        return [s.userSelect, s.webkitUserSelect]; }""")
    assert "none" in styles, styles
    assert page.evaluate("getSelection().toString()") == ""

    # the page itself does not zoom under two fingers
    assert "user-scalable=no" in page.locator("meta[name=viewport]").get_attribute("content")
    Finger(page).pinch((540, 900), 150, 500)
    assert page.evaluate("visualViewport.scale") == 1

    # nothing to follow or open, and no history to leave by
    assert page.evaluate("document.querySelectorAll('#touch a[href], #touch input, #touch textarea').length") == 0
    assert page.evaluate("window.open('https://example.com/') === null")
    page.go_back()
    assert page.url == url
    assert page.evaluate("kioskTouchState()")["active"]
    keydown = page.evaluate("""() => { const ev = new KeyboardEvent('keydown', {key: 'l', ctrlKey: true,
        bubbles: true, cancelable: true}); document.body.dispatchEvent(ev); return ev.defaultPrevented; }""")
    assert keydown
    assert page.errors == []


def test_a_query_the_search_cannot_take_is_refused_by_name(kiosk_srv):
    r = requests.get(kiosk_srv.url + "/api/v1/guides", params={"q": "办" * 101}, timeout=5)
    assert r.status_code == 400 and r.json()["error"]["field"] == "q"
    r = requests.get(kiosk_srv.url + "/api/v1/guides", params={"q": "sfz", "limit": "many"}, timeout=5)
    assert r.status_code == 400 and r.json()["error"]["field"] == "limit"
