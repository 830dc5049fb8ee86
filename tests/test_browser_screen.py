"""A real screen in real Chromium against a real `kiosk serve`: rotation, alert, outage.

This is the promise of the product: a screen rotates content, shows an alert posted through
the API, keeps rotating with no blank frame when the server dies (also across a
reload), and resynchronises when the server comes back.
"""

from __future__ import annotations

import textwrap

import pytest
import requests

from .browser import ARTIFACTS, launch_chromium
from .live import LiveServer

pytestmark = pytest.mark.browser

# A fast group for the test: a guide, 好差评, the disclosure deck and a bundle, 2 s each, on a
# 1920×1080 LED wall.
TEST_SCREENS = textwrap.dedent(
    """
    playlists:
      - name: browser-fast
        title: 浏览器测试轮播
        items:
          - {ref: "guide:%(guide)s", duration: 2}
          - {ref: "evaluation:hall", duration: 2}
          - {ref: "disclosure:laocheng-2023", duration: 2}
          - {ref: "bundle:%(bundle)s", duration: 2}
    groups:
      - {name: browser-test, title: 测试组, default_playlist: browser-fast}
    screens:
      - {name: 测试大屏, group: browser-test, kind: led_wall}
    schedule:
      # all day, over the demo's 21:00-08:00 "hall closed" takeover: the test runs at any hour
      - {name: browser-fast-all-day, playlist: browser-fast, groups: [browser-test],
         start: "00:00", end: "00:00", priority: 200, takeover: true}
    """
)

# Records every animation frame in which no slide with visible text is on screen. The record
# lives in sessionStorage: this script runs again in the reloaded page (add_init_script) and
# carries on with the same list, so frames of the old page, of the reload and of the new page
# are all checked. window.__resetBlank() starts a new record.
BLANK_WATCH = """
(function () {
  const KEY = 'kiosk-test-blank-frames';
  let rec = null;
  try { rec = JSON.parse(sessionStorage.getItem(KEY)); } catch (e) { rec = null; }
  window.__blank = (rec && rec.blank) || [];
  window.__frames = (rec && rec.frames) || 0;
  window.__pages = ((rec && rec.pages) || 0) + 1;
  const save = () => sessionStorage.setItem(KEY, JSON.stringify(
    {blank: window.__blank, frames: window.__frames, pages: window.__pages}));
  window.__resetBlank = () => { window.__blank = []; window.__frames = 0; window.__pages = 1; save(); };
  save();
  (function watch() {
    const el = document.querySelector('.slide-layer.current');
    const ok = el && el.offsetWidth > 0 && el.offsetHeight > 0 &&
               getComputedStyle(el).visibility !== 'hidden' &&
               parseFloat(getComputedStyle(el).opacity) > 0.5 &&
               el.innerText.trim().length > 0;
    window.__frames++;
    if (!ok && document.body) window.__blank.push([Date.now(), document.readyState]);
    if (!ok || window.__frames % 30 === 0) save();
    requestAnimationFrame(watch);
  })();
  addEventListener('pagehide', save);
})();
"""


def blank_record(page) -> dict:
    """The frames recorded since the last reset, across reloads: {blank, frames, pages}."""
    return page.evaluate("JSON.parse(sessionStorage.getItem('kiosk-test-blank-frames'))")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("live")
    srv = LiveServer(data, env={"KIOSK_POLL_SECONDS": "5"}).start()
    extra = data / "extra"
    extra.mkdir()
    import yaml

    from .conftest import CONTENT

    demo_bundle = yaml.safe_load((CONTENT / "bundles.yaml").read_text("utf-8"))[0]["code"]
    demo_guide = yaml.safe_load((CONTENT / "guides" / "gongan.yaml").read_text("utf-8"))[1]["code"]
    (extra / "screens.yaml").write_text(TEST_SCREENS % {"bundle": demo_bundle, "guide": demo_guide},
                                        encoding="utf-8")
    srv.kiosk("import", str(extra))
    srv.stop()
    srv.start()  # also proves a restart picks up what the CLI imported
    yield srv
    srv.stop()


# Records every change of the current item (window.__items), so a test waits until enough
# different items have been current since a mark instead of sampling the page in a loop.
ITEM_WATCH = """
window.__items = [];
new MutationObserver(() => {
  const el = document.querySelector('.slide-layer.current[data-item]');
  const item = el && el.dataset.item;
  if (item && window.__items[window.__items.length - 1] !== item) window.__items.push(item);
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['class', 'data-item']});
"""


def item_mark(page) -> int:
    return page.evaluate("() => window.__items.length")


def wait_for_items(page, mark: int, count: int, timeout: float) -> list[str]:
    """Wait until ``count`` different items have been current since ``mark``; returns them."""
    page.wait_for_function(f"() => new Set(window.__items.slice({mark})).size >= {count}",
                           timeout=timeout * 1000)
    return page.evaluate(f"() => window.__items.slice({mark})")


# Remembers the kind of every slide that became current (a deck's pages count as one kind).
KIND_WATCH = """
window.__kinds = [];
new MutationObserver(() => {
  const s = document.querySelector('.slide-layer.current > section.slide[data-kind]');
  const kind = s && s.dataset.kind.split('_')[0];
  if (kind && !window.__kinds.includes(kind)) window.__kinds.push(kind);
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['class']});
"""


@pytest.mark.reliability('Server killed during rotation', 'Chromium screen; SIGKILL to the server process group, a reload while it is down, content changed, restart', 'keeps rotating cached content, zero blank frames (also across the reload), resyncs to the new version after restart')
def test_screen_rotates_shows_alert_survives_outage_and_resyncs(server: LiveServer):
    screen = next(s for s in server.screens() if s["name"] == "测试大屏")
    api = {"Authorization": f"Bearer {server.api_token()}"}
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.add_init_script(BLANK_WATCH)
        page.add_init_script(KIND_WATCH)
        page.add_init_script(ITEM_WATCH)
        page.goto(f"{server.url}/screen/{screen['token']}")
        page.wait_for_selector(".slide-layer.current[data-item]")

        # 1. at least two different items rotate
        wait_for_items(page, 0, 2, timeout=15)
        page.wait_for_function(  # the whole playlist comes round: a guide, 好差评, the deck
            "() => ['guide', 'evaluation', 'disclosure', 'bundle'].every(k => window.__kinds.includes(k))",
            timeout=20000)
        assert page.evaluate("document.fonts.check('32px \"Noto Sans SC\"')")
        page.screenshot(path=str(ARTIFACTS / "screen-led-wall.png"))

        # 2. an alert posted through the API shows (its speed is measured by bench/, not here)
        page.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'true'")
        r = requests.post(server.url + "/api/v1/alerts", json={
            "text": "系统维护：自助机暂停服务十分钟", "level": "warning", "groups": ["browser-test"],
            "expires_in": 3600}, headers=api, timeout=5)
        assert r.status_code == 201, r.text
        page.get_by_text("系统维护：自助机暂停服务十分钟").wait_for(state="visible", timeout=10000)
        page.screenshot(path=str(ARTIFACTS / "screen-alert.png"))
        requests.delete(f"{server.url}/api/v1/alerts/{r.json()['id']}", headers=api, timeout=5)
        page.get_by_text("系统维护：自助机暂停服务十分钟").wait_for(state="hidden", timeout=3000)

        # 3. the server dies: the screen keeps rotating, never blank, also across a reload
        page.wait_for_function("() => window.__frames > 0")
        page.evaluate("window.__resetBlank()")
        server.stop(hard=True)
        page.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'false'",
                               timeout=15000)
        wait_for_items(page, item_mark(page), 2, timeout=15)
        before_reload = blank_record(page)
        assert before_reload["frames"] > 60 and before_reload["pages"] == 1
        assert before_reload["blank"] == [], "a blank frame was shown while offline"
        page.reload()
        page.wait_for_selector(".slide-layer.current[data-item]", timeout=10000)
        wait_for_items(page, 0, 2, timeout=15)  # the reloaded page starts a new __items
        page.screenshot(path=str(ARTIFACTS / "screen-offline-after-reload.png"))
        offline = blank_record(page)
        assert offline["pages"] == 2 and offline["frames"] > before_reload["frames"], offline
        assert offline["blank"] == [], "a blank frame was shown while offline (across the reload)"

        # 4. while it is down the content changes; when it returns the screen catches up
        (server.data_dir / "extra2").mkdir(exist_ok=True)
        (server.data_dir / "extra2" / "ticker.yaml").write_text(
            "- {code: browser-test-line, text: 恢复连接后的新走马灯, groups: [browser-test]}\n",
            encoding="utf-8")
        server.kiosk("import", str(server.data_dir / "extra2"))
        server.start()
        page.wait_for_function("() => document.getElementById('conn-status').dataset.online === 'true'",
                               timeout=45000)
        page.get_by_text("恢复连接后的新走马灯").first.wait_for(state="attached", timeout=15000)
        fresh = requests.get(f"{server.url}/screen/{screen['token']}/state", timeout=5).json()
        page.wait_for_function(f"() => document.body.dataset.version === '{fresh['version']}'", timeout=10000)
        assert blank_record(page)["blank"] == [], "a blank frame was shown on reconnect"
        page.screenshot(path=str(ARTIFACTS / "screen-resynced.png"))
