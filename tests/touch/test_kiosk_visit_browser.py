"""A citizen's visit at the kiosk in real Chromium, portrait 1080×1920 and landscape 1920×1080:
touch the attract loop, type ``sfz`` on the on-screen keyboard, open a 居民身份证 guide, read
it, open its 样表 full screen and zoom, see an alert above it all — and find the visit recorded.
"""

from __future__ import annotations

import pytest
import requests

from ..admin.browser_util import save_doc_shot
from ..browser import ARTIFACTS
from ..waiting import wait_until
from .browser_kit import (
    LANDSCAPE,
    PORTRAIT,
    Finger,
    db_rows,
    open_kiosk,
    tap,
    tokens,
    wake,
)

pytestmark = pytest.mark.browser

KIOSKS = {"portrait": ("竖屏测试自助机", PORTRAIT), "landscape": ("横屏测试自助机", LANDSCAPE)}


def visible_text(page, selector: str) -> str:
    return page.locator(selector).locator("visible=true").first.inner_text()


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_touch_type_sfz_and_read_an_id_card_guide(kiosk_srv, chromium, orientation):
    name, viewport = KIOSKS[orientation]
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)[name], viewport)
    assert page.locator("#touch").is_hidden()
    save_doc_shot(page, f"kiosk-attract-{orientation}", full_page=False)

    # one touch anywhere opens home, and that same tap presses nothing on home
    wake(page)
    assert page.evaluate("kioskTouchState()")["view"] == "home"
    for heading in ("热门事项", "个人办事", "法人办事", "一件事一次办", "按部门查找"):
        assert page.locator(".t-section-title", has_text=heading).count() == 1, heading
    assert page.evaluate("document.fonts.check('700 30px \"Noto Sans SC\"', '办事指南')")
    save_doc_shot(page, f"kiosk-home-{orientation}", full_page=False)

    # the on-screen keyboard, never the system's: no text field exists to focus
    tap(page, "[data-testid=search-box]")
    page.locator("[data-testid=keyboard]").wait_for(state="visible")
    assert page.evaluate("document.querySelectorAll('input, textarea, [contenteditable]').length") == 0
    keys = page.evaluate("[...document.querySelectorAll('.t-key')].map(k => k.getBoundingClientRect())"
                         ".map(r => Math.min(r.width, r.height))")
    assert keys and min(keys) >= 60, keys
    for key in "sfz":
        tap(page, f"[data-key={key}]")
    assert visible_text(page, "[data-testid=query]").startswith("sfz")
    page.locator("[data-testid=results][data-query=sfz] .t-guide-row", has_text="居民身份证").first.wait_for(state="visible")
    save_doc_shot(page, f"kiosk-search-{orientation}", full_page=False)

    # a result opens its guide: every element in a readable order, the QR to take it away
    tap(page, ".t-results .t-guide-row:has-text('居民身份证换领')")
    page.locator(".t-guide .t-h1", has_text="居民身份证换领").wait_for(state="visible")
    order = page.evaluate("[...document.querySelectorAll('.t-block')].map(b => b.dataset.section)")
    expected = ["conditions", "materials", "process", "limits", "fee", "where", "hours", "phones", "faq"]
    assert [s for s in order if s in expected] == expected, order
    materials = page.locator(".t-material")
    assert materials.count() == 3
    assert "原件 1 份" in materials.nth(0).inner_text()
    assert page.locator(".t-tag-optional", has_text="容缺").count() == 1
    qr = page.locator("[data-testid=qr] img")
    qr_box = qr.bounding_box()
    assert qr_box["width"] >= 280 and qr_box["height"] >= 280, qr_box  # scannable from 50 cm
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    save_doc_shot(page, f"kiosk-guide-{orientation}", full_page=False)

    # long sections are paged by large buttons
    scroll = page.locator(".t-guide .t-scroll")
    before = scroll.evaluate("el => el.scrollTop")
    tap(page, ".t-page-down")
    page.wait_for_function("(b) => document.querySelector('.t-guide .t-scroll').scrollTop > b", arg=before)
    assert page.locator(".t-page-down").bounding_box()["height"] >= 60
    tap(page, ".t-chip:has-text('问答')")  # jump to a section
    page.wait_for_function("() => { const s = document.querySelector('.t-guide .t-scroll');"
                           " const f = document.getElementById('tb-faq').getBoundingClientRect();"
                           " const r = s.getBoundingClientRect(); return f.top >= r.top - 2 && f.top < r.bottom; }")

    # 样表: full screen, zoom by buttons and by a two-finger pinch
    tap(page, ".t-chip:has-text('材料')")
    tap(page, "[data-testid=open-sample]")
    viewer = page.locator("[data-testid=form-viewer]")
    viewer.wait_for(state="visible")
    page.wait_for_function("() => { const i = document.querySelector('.t-form-img'); return i.complete && i.naturalWidth > 0; }")
    box = viewer.bounding_box()
    assert box["width"] == viewport["width"] and box["height"] == viewport["height"]
    scale = lambda: float(page.locator(".t-form-img").get_attribute("data-scale"))  # noqa: E731
    tap(page, "[data-testid=zoom-in]")
    assert scale() == pytest.approx(1.5)
    assert page.locator("[data-testid=zoom-level]").inner_text() == "150%"
    stage = page.locator("[data-testid=form-stage]").bounding_box()
    Finger(page).pinch((stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2), 200, 400)
    assert scale() > 2.5, scale()
    assert page.evaluate("visualViewport.scale") == 1  # the page itself never zooms
    save_doc_shot(page, f"kiosk-sample-form-{orientation}", full_page=False)
    tap(page, ".t-form-tools button:has-text('还原')")
    assert scale() == 1
    tap(page, "[data-testid=close-form]")
    viewer.wait_for(state="detached")
    assert page.errors == []


def test_an_alert_shows_above_the_kiosk_ui(kiosk_srv, chromium):
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)["竖屏测试自助机"], PORTRAIT)
    page.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'true'")
    wake(page)
    api = {"Authorization": f"Bearer {kiosk_srv.api_token('alert-admin')}"}
    r = requests.post(kiosk_srv.url + "/api/v1/alerts", json={
        "text": "消防演练：请听从工作人员指挥有序疏散", "level": "critical", "groups": ["kiosk-test"],
        "expires_in": 600}, headers=api, timeout=5)
    assert r.status_code == 201, r.text
    try:
        alert = page.get_by_text("消防演练：请听从工作人员指挥有序疏散")
        alert.wait_for(state="visible", timeout=5000)
        # what a finger touching the middle of the screen reaches is the alert, not the UI
        on_top = page.evaluate("(() => { const e = document.elementFromPoint(innerWidth / 2, innerHeight / 2);"
                               " return !!(e && e.closest('.alert-critical')); })()")
        assert on_top
        assert page.locator(".t-home").is_visible() or page.locator(".t-home").count() == 1
        page.screenshot(path=str(ARTIFACTS / "kiosk-alert-over-ui.png"))
    finally:
        requests.delete(f"{kiosk_srv.url}/api/v1/alerts/{r.json()['id']}", headers=api, timeout=5)
    alert.wait_for(state="hidden", timeout=5000)
    tap(page, "[data-testid=search-box]")  # the UI works again underneath
    page.locator("[data-testid=keyboard]").wait_for(state="visible")


def test_the_visit_is_recorded_without_personal_data(kiosk_srv, chromium):
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)["竖屏测试自助机"], PORTRAIT)
    wake(page)
    visit = page.evaluate("kioskTouch.visitId")
    tap(page, ".t-tile[data-bundle=newborn]")
    page.locator(".t-bundle .t-h1", has_text="新生儿出生一件事").wait_for(state="visible")
    assert page.locator(".t-bundle .t-material").count() >= 4  # the merged material list
    tap(page, "#touch-home")
    tap(page, "[data-testid=search-box]")
    for key in "hy":
        tap(page, f"[data-key={key}]")
    page.locator("[data-testid=results][data-query=hy] .t-guide-row").first.wait_for(state="visible")
    results = page.locator(".t-results .t-guide-row").count()
    tap(page, ".t-results .t-guide-row")
    page.locator(".t-guide .t-h1").wait_for(state="visible")
    code = page.locator(".t-guide").get_attribute("data-code")
    tap(page, "#touch-end")
    page.locator("[data-testid=wake]").wait_for(state="visible")
    page.wait_for_function("(v) => !kioskTouch.visitId", arg=visit)

    def recorded():
        return db_rows(kiosk_srv, "SELECT kind, page, ref, query, results, reason FROM visit_event "
                                  "WHERE visit = ? ORDER BY id", visit)

    rows = wait_until(lambda: (r := recorded()) and any(x[0] == "visit_end" for x in r) and r)
    kinds = [r[0] for r in rows]
    assert kinds[0] == "visit_start" and kinds[-1] == "visit_end", kinds
    assert ("bundle_view", None, "newborn") in [(r[0], r[1], r[2]) for r in rows]
    assert ("search", "hy", results) in [(r[0], r[3], r[4]) for r in rows]
    assert ("guide_view", code) in [(r[0], r[2]) for r in rows]
    assert [r[5] for r in rows if r[0] == "visit_end"] == ["home"]
    assert {r[1] for r in rows if r[0] == "page_view"} >= {"home", "bundle", "search", "guide"}
