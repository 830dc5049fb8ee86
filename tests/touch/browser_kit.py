"""What the kiosk's Chromium tests share: a live server with a portrait and a landscape kiosk,
opening a kiosk page with a touch screen, real touch input through the DevTools protocol
(taps, finger strokes, two-finger pinches), axe-core, and measurements of what a person sees.
"""

from __future__ import annotations

import json
import sqlite3
import textwrap
from contextlib import closing
from pathlib import Path

from ..live import LiveServer

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "vendor" / "axe-core" / "axe.min.js"
STROKES = ROOT / "data" / "handwriting" / "strokes.json"

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}

# Both kiosks play a quick attract loop all day (over the demo's night takeover), so a test
# sees slides rotate at any hour.
KIOSK_SCREENS = textwrap.dedent(
    """
    playlists:
      - name: kiosk-test-attract
        title: 自助终端测试轮播
        items:
          - {ref: "bundle:newborn", duration: 3}
          - {ref: "notice:yiwangtongban", duration: 3}
    groups:
      - {name: kiosk-test, title: 测试自助终端, default_playlist: kiosk-test-attract}
    screens:
      - {name: 竖屏测试自助机, group: kiosk-test, kind: kiosk}
      - {name: 横屏测试自助机, group: kiosk-test, kind: kiosk, layout: kiosk_landscape}
      - {name: 空闲测试自助机, group: kiosk-test, kind: kiosk}
      - {name: 测试大屏, group: kiosk-test, kind: led_wall}
    schedule:
      - {name: kiosk-test-all-day, playlist: kiosk-test-attract, groups: [kiosk-test],
         start: "00:00", end: "00:00", priority: 200, takeover: true}
    """
)


def kiosk_server(tmp_path_factory, label: str, env: dict[str, str] | None = None) -> LiveServer:
    """A started ``kiosk serve`` on the demo content plus the two test kiosks."""
    data = tmp_path_factory.mktemp(label)
    srv = LiveServer(data, env=env).start()
    extra = data / "kiosk-extra"
    extra.mkdir()
    (extra / "screens.yaml").write_text(KIOSK_SCREENS, encoding="utf-8")
    srv.kiosk("import", str(extra))
    return srv


def tokens(srv: LiveServer) -> dict[str, str]:
    return {s["name"]: s["token"] for s in srv.screens()}


def db_rows(srv: LiveServer, sql: str, *args) -> list[tuple]:
    """Rows from the server's embedded database (what staff and the next issue will find)."""
    with closing(sqlite3.connect(srv.data_dir / "kiosk.db", timeout=15)) as conn:
        return conn.execute(sql, args).fetchall()


def set_idle_seconds(srv: LiveServer, screen: str, seconds: int) -> None:
    with closing(sqlite3.connect(srv.data_dir / "kiosk.db", timeout=15)) as conn:
        conn.execute("UPDATE screen SET idle_seconds = ? WHERE name = ?", (seconds, screen))
        conn.commit()


def open_kiosk(browser, url: str, token: str, viewport: dict[str, int]):
    """A touch-screen page on the kiosk, its attract loop playing and the touch UI ready."""
    context = browser.new_context(viewport=viewport, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(f"{url}/screen/{token}")
    page.wait_for_selector(".slide-layer.current[data-item]")
    page.wait_for_function("() => window.kioskTouchReady === true")
    return page


def wake(page) -> None:
    """The first touch of a visit, in the middle of the attract loop; home opens."""
    vp = page.viewport_size
    page.touchscreen.tap(vp["width"] // 2, vp["height"] // 2)
    page.locator(".t-home").wait_for(state="visible")
    page.locator(".t-tile").first.wait_for(state="visible")


def tap(page, selector: str) -> None:
    """A finger tap on the first visible element matching ``selector``."""
    from playwright.sync_api import Error

    for attempt in range(5):
        loc = page.locator(selector).locator("visible=true").first
        try:
            loc.scroll_into_view_if_needed()
            box = loc.bounding_box()
        except Error as err:  # the list re-rendered under the finger (a later answer came in)
            if "not attached" not in str(err) or attempt == 4:
                raise
            continue
        if box:
            break
    assert box, f"{selector} is not on screen"
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


class Finger:
    """Real touch input (Input.dispatchTouchEvent): strokes and pinches as a finger makes them."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _send(self, kind: str, points: list[tuple[float, float]]) -> None:
        self.cdp.send("Input.dispatchTouchEvent", {
            "type": kind,
            "touchPoints": [{"x": x, "y": y, "id": i, "radiusX": 6, "radiusY": 6, "force": 1}
                            for i, (x, y) in enumerate(points)],
        })

    def stroke(self, points: list[tuple[float, float]]) -> None:
        self._send("touchStart", [points[0]])
        for p in points[1:]:
            self._send("touchMove", [p])
        self._send("touchEnd", [])

    def pinch(self, centre: tuple[float, float], start: float, end: float, steps: int = 12) -> None:
        """Two fingers apart by ``start`` px moving to ``end`` px, about ``centre``."""
        cx, cy = centre
        for i in range(steps + 1):
            d = (start + (end - start) * i / steps) / 2
            self._send("touchStart" if i == 0 else "touchMove", [(cx - d, cy), (cx + d, cy)])
        self._send("touchEnd", [])


def load_strokes() -> dict:
    return json.loads(STROKES.read_text(encoding="utf-8"))


def write_character(page, strokes: list[list[list[float]]], box: float) -> None:
    """Replay a character's strokes (recorded in a ``box`` × ``box`` square) onto the
    handwriting canvas, scaled to its size on screen."""
    canvas = page.locator("[data-testid=hand-canvas]")
    b = canvas.bounding_box()
    scale = min(b["width"], b["height"]) / box
    finger = Finger(page)
    for stroke in strokes:
        # every other recorded point (a finger's events ~16 px apart on the kiosk), and the end
        points = stroke[::2] + ([stroke[-1]] if len(stroke) % 2 == 0 else [])
        finger.stroke([(b["x"] + x * scale, b["y"] + y * scale) for x, y in points])
    # the candidates shown are those for all the strokes (each stroke asks again)
    page.locator(f"[data-testid=candidates][data-strokes='{len(strokes)}'] .t-cand").first.wait_for(state="visible")


def axe_violations(page, context: str = "#touch") -> list[dict]:
    """Serious and critical axe-core violations in ``context`` (the vendored axe-core)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # evaluated through DevTools, not as a <script>: the page's CSP allows no inline script
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (ctx) => {
            const r = await axe.run(document.querySelector(ctx), {resultTypes: ['violations']});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }""",
        context,
    )
    return result


# What a person sees, measured in the page: every visible text's size and line height, its
# contrast against the colour actually behind it, and every visible control's size.
MEASURE = """
() => {
  const root = document.getElementById('touch');
  const rgb = s => { const m = s.match(/[\\d.]+/g); return m ? m.map(Number) : [0, 0, 0, 0]; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const bgOf = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
                        if ((c[3] === undefined ? 1 : c[3]) > 0.5) return c; } return [255, 255, 255]; };
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none' &&
           r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth; };
  const texts = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !visible(el)) continue;
    const s = getComputedStyle(el);
    const fs = parseFloat(s.fontSize);
    const lh = s.lineHeight === 'normal' ? fs * 1.2 : parseFloat(s.lineHeight);
    const fg = rgb(s.color), bg = bgOf(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    texts.push({text: n.textContent.trim().slice(0, 20), fontSize: fs, lineHeight: lh / fs,
                contrast: (a + 0.05) / (b + 0.05), opacity: parseFloat(s.opacity),
                disabled: !!el.closest('button:disabled')});
  }
  const targets = [...root.querySelectorAll('button, [role=button], canvas')].filter(visible).map(el => {
    const r = el.getBoundingClientRect();
    return {label: (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 20), w: r.width, h: r.height};
  });
  const animations = document.getAnimations().filter(a => a.effect && a.effect.target && root.contains(a.effect.target)
                                                       && a.playState === 'running').length;
  return {texts, targets, animations};
}
"""
