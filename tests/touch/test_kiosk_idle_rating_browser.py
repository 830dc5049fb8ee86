"""The end of a visit and a rating, in Chromium.

Idle: after the kiosk's idle time without a touch a 10 s countdown offers 继续; then every trace
of the visit goes (query, page, mode, scroll, storage) and the attract loop plays again.
Rating: the visitor rates a guide on the five national levels with a reason and a call-back
number, and the rating is one individual evaluation record on the server.
"""

from __future__ import annotations

import json

import pytest

from ..admin.browser_util import save_doc_shot
from ..waiting import wait_until
from .browser_kit import (
    PORTRAIT,
    db_rows,
    open_kiosk,
    set_idle_seconds,
    tap,
    tokens,
    wake,
)

pytestmark = pytest.mark.browser

IDLE = 3  # seconds; the panel's minimum is 20, the page takes 3 and up


def open_a_guide(page, keys: str = "hy") -> str:
    tap(page, "[data-testid=search-box]")
    tap(page, "[data-key=clear]")
    for key in keys:
        tap(page, f"[data-key={key}]")
    page.locator(f"[data-testid=results][data-query={keys}] .t-guide-row").first.wait_for(state="visible")
    tap(page, "[data-testid=results] .t-guide-row")
    page.locator(".t-guide .t-material").first.wait_for(state="visible")
    return page.locator(".t-guide .t-h1").inner_text()


def test_idle_timeout_offers_continue_then_clears_every_trace(kiosk_srv, chromium):
    set_idle_seconds(kiosk_srv, "空闲测试自助机", IDLE)
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)["空闲测试自助机"], PORTRAIT)
    assert page.evaluate("kioskTouch.IDLE_MS") == IDLE * 1000
    wake(page)
    name = open_a_guide(page)
    tap(page, "[data-testid=elder-switch]")
    page.locator(".t-guide .t-material").first.wait_for(state="visible")
    tap(page, ".t-page-down")
    page.wait_for_function("() => document.querySelector('.t-guide .t-scroll').scrollTop > 0")

    # the countdown offers 继续, which keeps the visit as it was
    cont = page.locator("[data-testid=continue]")
    cont.wait_for(state="visible", timeout=(IDLE + 10) * 1000)
    assert page.locator(".t-countdown-num").inner_text().isdigit()
    tap(page, "[data-testid=continue]")
    cont.wait_for(state="detached")
    state = page.evaluate("kioskTouchState()")
    assert state["active"] and state["elder"] and state["view"] == "guide"

    # left alone: the countdown runs out and the attract loop comes back
    cont.wait_for(state="visible", timeout=(IDLE + 10) * 1000)
    page.locator("[data-testid=wake]").wait_for(state="visible", timeout=20000)
    state = page.evaluate("kioskTouchState()")
    assert state == {"active": False, "elder": False, "view": None, "depth": 0}
    assert page.locator("#touch").is_hidden()
    assert page.evaluate("document.getElementById('touch-view').childElementCount") == 0
    touch_text = page.evaluate("document.getElementById('touch').textContent")
    assert name not in touch_text and "hy" not in touch_text
    assert page.evaluate("sessionStorage.length") == 0
    keys = page.evaluate("Object.keys(localStorage)")
    assert all(k.startswith(("kiosk-state:", "kiosk-clock-offset:")) for k in keys), keys
    page.wait_for_function("() => (() => { const s = document.querySelector('.slide-layer.current');"
                           " return s && s.dataset.item && getComputedStyle(s).visibility !== 'hidden'; })()")
    ends = wait_until(lambda: db_rows(kiosk_srv, "SELECT reason FROM visit_event WHERE kind = 'visit_end' "
                                               "AND screen_id = (SELECT id FROM screen WHERE name = ?)",
                                      "空闲测试自助机"), what="the end of the visit recorded")
    assert ends == [("idle",)]

    # the next visitor starts from nothing
    wake(page)
    assert page.locator("[data-testid=elder-switch]").get_attribute("aria-pressed") == "false"
    tap(page, "[data-testid=search-box]")
    assert page.locator("[data-testid=query]").inner_text().strip() == "输入拼音首字母，如 sfz"
    assert page.locator("[data-testid=query]").evaluate("el => el.classList.contains('is-empty')")


def test_a_rating_is_stored_as_one_evaluation_record(kiosk_srv, chromium):
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)["竖屏测试自助机"], PORTRAIT)
    wake(page)
    open_a_guide(page, "sfz")
    code = page.locator(".t-guide").get_attribute("data-code")
    tap(page, "[data-testid=rate]")
    page.locator(".t-level").first.wait_for(state="visible")
    labels = page.locator(".t-level .t-level-label").all_inner_texts()
    assert labels == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    save_doc_shot(page, "kiosk-rating-portrait", full_page=False)
    tap(page, ".t-level[data-level='2']")
    reason = page.locator(".t-reason").first.inner_text()
    tap(page, ".t-reason")
    assert page.locator(".t-reason").first.get_attribute("aria-pressed") == "true"

    # a wrong number is refused by the server, said on the page, and nothing is stored
    for key in "12":
        tap(page, f".t-keypad [data-key='{key}']")
    before = db_rows(kiosk_srv, "SELECT count(*) FROM evaluation")[0][0]
    tap(page, "[data-testid=submit-rating]")
    page.locator(".t-form-error", has_text="电话号码").wait_for(state="visible")
    assert db_rows(kiosk_srv, "SELECT count(*) FROM evaluation")[0][0] == before

    tap(page, ".t-keypad [data-key='清空']")
    for key in "13800138000":
        tap(page, f".t-keypad [data-key='{key}']")
    assert page.locator("[data-testid=phone]").inner_text() == "13800138000"
    tap(page, "[data-testid=submit-rating]")
    page.locator("[data-testid=thanks]").wait_for(state="visible")
    assert "13800138000" not in page.evaluate("document.body.textContent")

    rows = db_rows(kiosk_srv, "SELECT e.level, e.channel, g.code, e.reasons, e.contact_phone, s.name, "
                              "e.department_id = g.department_id, e.window = g.window "
                              "FROM evaluation e JOIN guide g ON g.id = e.guide_id "
                              "JOIN screen s ON s.id = e.screen_id ORDER BY e.id DESC LIMIT 1")
    level, channel, guide, reasons, contact, screen, same_dept, same_window = rows[0]
    assert (level, channel, guide, contact, screen) == (2, "kiosk", code, "13800138000", "竖屏测试自助机")
    assert json.loads(reasons) == [reason]
    assert same_dept and same_window
    # the visit record has the rating, never the number
    events = db_rows(kiosk_srv, "SELECT kind, level, ref, query FROM visit_event WHERE kind = 'rating' "
                                "ORDER BY id DESC LIMIT 1")
    assert events[0][:3] == ("rating", 2, code)
    assert not db_rows(kiosk_srv, "SELECT id FROM visit_event WHERE query LIKE '%13800138000%'")
