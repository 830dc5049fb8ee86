"""长辈版 and accessibility, measured in Chromium on what a person sees.

长辈版 follows the national 适老化 rules: body text ≥ 30 px, line height ≥ 1.3, contrast ≥ 4.5:1,
touch targets ≥ 60×60 px, fewer items per screen, no animation; it stays on for the visit and
resets with it. axe-core (vendored) finds no serious or critical violation on the home,
results, guide and rating pages in either mode.
"""

from __future__ import annotations

import pytest

from ..admin.browser_util import save_doc_shot
from .browser_kit import LANDSCAPE, MEASURE, PORTRAIT, axe_violations, open_kiosk, tap, tokens, wake

pytestmark = pytest.mark.browser

PAGES = ("home", "results", "guide", "rating")


def go_to(page, where: str) -> None:
    """From any page of the visit to one of PAGES, by touch."""
    tap(page, "#touch-home")
    page.locator(".t-home .t-tile").first.wait_for(state="visible")
    if where == "home":
        return
    tap(page, "[data-testid=search-box]")
    tap(page, "[data-key=clear]")  # the visit keeps its last query; start afresh
    for key in "hy":
        tap(page, f"[data-key={key}]")
    page.locator("[data-testid=results][data-query=hy] .t-guide-row").first.wait_for(state="visible")
    if where == "results":
        return
    tap(page, "[data-testid=results] .t-guide-row")
    page.locator(".t-guide .t-material").first.wait_for(state="visible")
    if where == "guide":
        return
    tap(page, "[data-testid=rate]")
    page.locator(".t-level").first.wait_for(state="visible")


def check_elder(page, where: str) -> None:
    m = page.evaluate(MEASURE)
    texts = [t for t in m["texts"] if not t["disabled"]]
    assert texts, where
    small = [t for t in texts if t["fontSize"] < 30]
    assert not small, f"{where}: text below 30 px: {small[:5]}"
    tight = [t for t in texts if t["lineHeight"] < 1.3 - 1e-6]
    assert not tight, f"{where}: line height below 1.3: {tight[:5]}"
    faint = [t for t in texts if t["contrast"] < 4.5]
    assert not faint, f"{where}: contrast below 4.5:1: {faint[:5]}"
    tiny = [t for t in m["targets"] if t["w"] < 60 or t["h"] < 60]
    assert not tiny, f"{where}: touch targets below 60×60 px: {tiny[:5]}"
    assert m["animations"] == 0, f"{where}: {m['animations']} animations run in 长辈版"


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_elder_mode_is_large_clear_still_and_ends_with_the_visit(kiosk_srv, chromium, viewport):
    name = "竖屏测试自助机" if viewport is PORTRAIT else "横屏测试自助机"
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)[name], viewport)
    wake(page)
    normal_rows = page.locator(".t-section-popular .t-row").count()
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.t-row-title')).fontSize)")
    tap(page, "[data-testid=elder-switch]")
    assert page.locator("[data-testid=elder-switch]").get_attribute("aria-pressed") == "true"
    assert page.locator(".t-section-popular .t-row").count() < normal_rows  # fewer items per screen
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.t-row-title')).fontSize)") > normal_size
    orientation = "portrait" if viewport is PORTRAIT else "landscape"
    for where in PAGES:
        go_to(page, where)
        assert page.evaluate("kioskTouchState()")["elder"], f"长辈版 left on the way to {where}"
        check_elder(page, where)
        if where in ("home", "guide"):
            save_doc_shot(page, f"kiosk-elder-{where}-{orientation}", full_page=False)
    tap(page, "#touch-end")
    page.locator("[data-testid=wake]").wait_for(state="visible")
    wake(page)
    assert not page.evaluate("kioskTouchState()")["elder"]
    assert page.locator("[data-testid=elder-switch]").get_attribute("aria-pressed") == "false"


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_no_serious_accessibility_violations(kiosk_srv, chromium, elder):
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)["竖屏测试自助机"], PORTRAIT)
    wake(page)
    if elder:
        tap(page, "[data-testid=elder-switch]")
    found = {}
    for where in PAGES:
        go_to(page, where)
        violations = axe_violations(page)
        if violations:
            found[where] = violations
    assert found == {}, found
