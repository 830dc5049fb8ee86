"""Every disclosure slide in real Chromium at 1920×1080: no text overflows its box.

The slides are rendered by the app (``SlideRenderer``, as the state builder does) and shown
in a page built like the screen page — the vendored font, ``screen.css``, the layout's CSS, the
layout's regions, ``screen.js`` fitting ``data-fit`` text — whose every request is answered by
the Flask test client, so no server process is started. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from disclosure_factory import city_report

from kiosk.extensions import db
from kiosk.services import layouts
from kiosk.services.disclosure.store import store_report
from kiosk.services.importer import import_path
from kiosk.services.slides import SlideRenderer
from tests.browser import ARTIFACTS, launch_chromium
from tests.conftest import CONTENT

pytestmark = pytest.mark.browser

ORIGIN = "http://kiosk.test"

# Every element that shows text (its own text nodes, or SVG <text>) must lie inside the slide,
# and the nearest block box around it must not overflow (scrollWidth/scrollHeight against
# clientWidth/clientHeight; an ellipsis or overflow:hidden hides overflow, this finds it).
OVERFLOW_JS = """
(slide) => {
  const problems = [];
  const sr = slide.getBoundingClientRect();
  const inside = (r, box, tol) => r.left >= box.left - tol && r.right <= box.right + tol &&
                                  r.top >= box.top - tol && r.bottom <= box.bottom + tol;
  const name = (el) => el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
                       ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '');
  let checked = 0;
  for (const el of slide.querySelectorAll('*')) {
    if (el.closest('style')) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    if (el instanceof SVGTextElement) {
      if (!el.textContent.trim()) continue;
      checked++;
      const r = el.getBoundingClientRect();
      const svg = el.ownerSVGElement.getBoundingClientRect();
      if (!inside(r, svg, 2) || !inside(r, sr, 0.5))
        problems.push(`svg text "${el.textContent}" outside its chart or the slide`);
      continue;
    }
    const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim());
    if (!own.length) continue;
    checked++;
    let box = el;
    while (box !== slide && getComputedStyle(box).display === 'inline') box = box.parentElement;
    const text = el.textContent.trim().slice(0, 40);
    if (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1)
      problems.push(`"${text}" overflows ${name(box)}: ` +
                    `${box.scrollWidth}x${box.scrollHeight} in ${box.clientWidth}x${box.clientHeight}`);
    // a text rect is the font's content area (1.45em high for Noto Sans SC); its ink is
    // about 1em high around the middle, which is what must stay inside the boxes
    const half = parseFloat(cs.fontSize) * 0.5;
    const range = document.createRange();
    for (const node of own) {
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (!r.width) continue;
        const mid = (r.top + r.bottom) / 2;
        const ink = {left: r.left, right: r.right, top: mid - half, bottom: mid + half};
        if (!inside(ink, sr, 0.5)) problems.push(`"${text}" leaves the slide`);
        if (!inside(ink, box.getBoundingClientRect(), 1.5)) problems.push(`"${text}" leaves ${name(box)}`);
        // and no ancestor that clips (overflow other than visible) cuts it off
        for (let a = box.parentElement; a && a !== slide.parentElement; a = a.parentElement) {
          const o = getComputedStyle(a);
          if ((o.overflowX !== 'visible' || o.overflowY !== 'visible') &&
              !inside(ink, a.getBoundingClientRect(), 1.5)) {
            problems.push(`"${text}" is clipped by ${name(a)}`);
            break;
          }
        }
      }
    }
  }
  return {problems, checked};
}
"""


def _page_html(layout: dict[str, Any], item_id: str, html: str) -> str:
    regions = []
    for r in layout["regions"]:
        inner = ""
        if r["name"] == "header":
            inner = ('<div class="hall-name">老城区政务服务中心</div><div class="clock">'
                     '<span class="clock-date">2024年3月1日 星期五</span>'
                     '<span class="clock-time">09:30</span></div>')
        elif r["name"] == "main":
            inner = f'<div class="slide-layer current" data-item="{item_id}">{html}</div>'
        elif r["name"] == "ticker":
            inner = '<div class="ticker-static">政府信息公开工作年度报告</div>'
        regions.append(
            f'<div class="region region-{r["name"]}" data-region="{r["name"]}" style="left:{r["x"]}px;'
            f'top:{r["y"]}px;width:{r["w"]}px;height:{r["h"]}px">{inner}</div>'
        )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<link rel="stylesheet" href="/static/vendor/noto-sans-sc/noto-sans-sc.css">'
        '<link rel="stylesheet" href="/static/display/screen.css">'
        f'<link rel="stylesheet" id="layout-css" href="/layouts/{layout["name"]}/style.css">'
        '</head><body class="screen-page">'
        f'<div id="stage" class="stage layout-{layout["name"]} kind-{layout["kind"]}" '
        f'style="width:{layout["width"]}px;height:{layout["height"]}px">{"".join(regions)}</div>'
        '<div id="conn-status" style="display:none"></div>'
        '<script src="/static/display/screen.js"></script></body></html>'
    )


def _serve(page, app, pages: dict[str, str]) -> None:
    client = app.test_client()

    def handle(route):
        url = urlsplit(route.request.url)
        if url.path in pages:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages[url.path])
            return
        if url.path.startswith(("/socket.io", "/screen/")):
            route.fulfill(status=404, body="")
            return
        resp = client.get(url.path + (f"?{url.query}" if url.query else ""))
        route.fulfill(status=resp.status_code, body=resp.data,
                      headers={"Content-Type": resp.headers.get("Content-Type", "")})
        resp.close()

    page.route(f"{ORIGIN}/**", handle)


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> dict[str, Any]:
    """The rendered decks: the demo's zero report (imported from content/, so its checks are
    computed on the fly) and a city report with every row non-zero plus last year's."""
    from tests.conftest import dispose, make_app

    folder = tmp_path_factory.mktemp("slides")
    app = make_app(folder, folder / "test.db")
    last = city_report(seed=2022, year=2022)
    this = city_report(seed=2023, year=2023,
                       carried_over=last["applications"]["carried_forward"][:6])
    out: dict[str, Any] = {"app": app, "layouts": {}}
    with app.app_context():
        import_path(CONTENT / "disclosure", actor="test")
        store_report(db.session, last, code="city-2022", actor="test")
        store_report(db.session, this, code="city-2023", actor="test")
        db.session.commit()
        for name in ("led_wall", "kiosk", "window"):
            layout = layouts.load_layout(app.config["LAYOUTS_DIR"], name)
            renderer = SlideRenderer(app, db.session, layout)
            out["layouts"][name] = {
                "layout": layout,
                "laocheng": renderer.render_all("disclosure:laocheng-2023"),
                "city": renderer.render_all("disclosure:city-2023"),
            }
    yield out
    dispose(app)


def test_decks_have_the_expected_slides(decks):
    wall = decks["layouts"]["led_wall"]
    assert [item["kind"] for _, item in wall["laocheng"]] == [
        "disclosure", "disclosure_proactive", "disclosure_yoy"]
    assert [item["kind"] for _, item in wall["city"]] == [
        "disclosure", "disclosure_outcomes", "disclosure_proactive", "disclosure_review",
        "disclosure_yoy"]
    assert [slide_id for slide_id, _ in wall["city"]][:2] == [
        "disclosure:city-2023", "disclosure:city-2023#2"]
    zero = wall["laocheng"][0][1]["html"]
    assert "本年度未收到政府信息公开申请" in zero and "<svg" not in zero


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


SHOW_JS = """async ([id, html]) => {
  const layer = document.querySelector('.slide-layer.current');
  layer.dataset.item = id;
  layer.innerHTML = html;
  const text = layer.textContent.replace(/\\s+/g, '');
  await document.fonts.load('400 40px "Noto Sans SC"', text);
  await document.fonts.load('700 40px "Noto Sans SC"', text);
  await document.fonts.ready;
  window.kioskScreen.prepare(layer);
  return document.fonts.check('700 40px "Noto Sans SC"', text);
}"""


@pytest.mark.parametrize("layout_name", ["led_wall", "kiosk", "window"])
def test_every_disclosure_slide_fits(decks, browser, layout_name):
    """Each slide of both decks, shown in the layout's main region: fonts loaded, data-fit
    text fitted by screen.js, then every text element checked and a screenshot taken."""
    entry = decks["layouts"][layout_name]
    layout = entry["layout"]
    slides = [("laocheng", sid, item) for sid, item in entry["laocheng"]]
    slides += [("city", sid, item) for sid, item in entry["city"]]
    failures = {}
    page = browser.new_page(viewport={"width": layout["width"], "height": layout["height"]})
    try:
        _serve(page, decks["app"], {"/__slide__": _page_html(layout, "", "")})
        page.goto(f"{ORIGIN}/__slide__")
        page.wait_for_function("() => window.kioskScreen !== undefined")
        for deck, sid, item in slides:
            assert page.evaluate(SHOW_JS, [sid, item["html"]]), f"{sid}: font not loaded"
            slide = page.query_selector(".slide-layer.current > section.slide")
            assert slide is not None and slide.get_attribute("data-kind") == item["kind"]
            result = page.evaluate(OVERFLOW_JS, slide)
            assert result["checked"] >= 8, (sid, result)
            if result["problems"]:
                failures[sid] = result["problems"]
            name = f"disclosure-{layout_name}-{deck}-{item['kind'].replace('_', '-')}.png"
            page.screenshot(path=str(ARTIFACTS / name))
    finally:
        page.close()
    (ARTIFACTS / f"disclosure-{layout_name}-overflow.json").write_text(
        json.dumps(failures, ensure_ascii=False, indent=1), encoding="utf-8")
    assert not failures, json.dumps(failures, ensure_ascii=False, indent=1)
