"""Handwriting (手写) on the kiosk in Chromium: a finger writes a character on the panel
(real strokes replayed from tests/data/handwriting/strokes.json as touch events), the server
recognises it, the visitor picks it from the candidates and the search runs on it."""

from __future__ import annotations

import re

import pytest

from ..admin.browser_util import save_doc_shot
from .browser_kit import (
    LANDSCAPE,
    PORTRAIT,
    load_strokes,
    open_kiosk,
    tap,
    tokens,
    wake,
    write_character,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_a_written_character_is_among_the_candidates_and_searches(kiosk_srv, chromium, orientation):
    data = load_strokes()
    box = data["canvas"]["width"]
    name, viewport = (("竖屏测试自助机", PORTRAIT) if orientation == "portrait" else ("横屏测试自助机", LANDSCAPE))
    page = open_kiosk(chromium, kiosk_srv.url, tokens(kiosk_srv)[name], viewport)
    wake(page)
    tap(page, "[data-testid=search-box]")
    tap(page, "[data-testid=tab-hand]")
    canvas = page.locator("[data-testid=hand-canvas]")
    canvas.wait_for(state="visible")
    size = canvas.bounding_box()
    assert size["width"] >= 360 and size["height"] >= 360, size  # room for a finger

    # 证 (身份证, 证明 …): written stroke by stroke, picked from the candidates
    write_character(page, data["characters"]["证"]["strokes"], box)
    candidate = page.locator("[data-testid=candidates] .t-cand[data-char=证]")
    candidate.wait_for(state="visible", timeout=5000)
    assert page.locator("[data-testid=candidates] .t-cand").count() >= 3
    ink = page.evaluate("""() => { const c = document.querySelector('[data-testid=hand-canvas]');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""")
    assert ink > 500  # the strokes were drawn where the finger went
    save_doc_shot(page, f"kiosk-handwriting-{orientation}", full_page=False)
    tap(page, "[data-testid=candidates] .t-cand[data-char=证]")
    assert page.locator("[data-testid=query]").inner_text().strip().startswith("证")
    page.locator("[data-testid=results][data-query=证] .t-guide-row").first.wait_for(state="visible")
    assert page.locator("[data-testid=candidates] .t-cand").count() == 0  # ready for the next one

    if orientation == "landscape":
        return
    # a second character goes after the first; 重写 clears a wrong attempt
    write_character(page, data["characters"]["婚"]["strokes"][:3], box)
    page.locator("[data-testid=candidates] .t-cand").first.wait_for(state="visible")
    tap(page, ".t-hand-tools button:has-text('重写')")
    assert page.locator("[data-testid=candidates] .t-cand").count() == 0
    write_character(page, data["characters"]["婚"]["strokes"], box)
    tap(page, "[data-testid=candidates] .t-cand[data-char=婚]")
    assert page.locator("[data-testid=query]").inner_text().strip().startswith("证婚")
    assert page.errors == []


def test_without_the_recognizer_the_panel_is_not_offered(kiosk_srv, chromium):
    """The page as a server without the model serves it (its config says handwriting: false,
    tests/touch/test_handwriting.py checks the server side): no 手写 anywhere."""
    token = tokens(kiosk_srv)["竖屏测试自助机"]
    context = chromium.new_context(viewport=PORTRAIT, has_touch=True)

    def without_handwriting(route):
        html, n = re.subn(r'"handwriting":\s*true', '"handwriting": false', route.fetch().text(), count=1)
        assert n == 1
        route.fulfill(body=html, content_type="text/html; charset=utf-8")

    context.route(f"**/screen/{token}", without_handwriting)
    page = context.new_page()
    page.goto(f"{kiosk_srv.url}/screen/{token}")
    page.wait_for_function("() => window.kioskTouchReady === true")
    page.errors = []
    wake(page)
    assert "手写" not in page.locator("[data-testid=search-box]").inner_text()
    tap(page, "[data-testid=search-box]")
    page.locator("[data-testid=keyboard]").wait_for(state="visible")
    assert page.locator("[data-testid=tab-hand]").count() == 0
    assert "手写" not in page.locator(".t-search").inner_text()
    context.close()
