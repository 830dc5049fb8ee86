"""A ``popular:5`` item on a real LED wall in Chromium against a real ``kiosk serve``: after
citizens looked guides up on the demo kiosk, the ``popular-guides`` job (run by the server's
own scheduler, every second here) ranks them and the wall rotates exactly the five most
viewed, most viewed first, ties by name.
"""

from __future__ import annotations

import textwrap
import time

import pytest
import requests
import yaml

from .browser import ARTIFACTS, launch_chromium
from .conftest import CONTENT
from .live import LiveServer

pytestmark = pytest.mark.browser

TEST_SCREENS = textwrap.dedent(
    """
    playlists:
      - name: popular-test
        title: 热门事项测试
        items:
          - {ref: "popular:5", duration: 1}
    groups:
      - {name: popular-test, title: 热门测试组, default_playlist: popular-test}
    screens:
      - {name: 热门测试大屏, group: popular-test, kind: led_wall}
    schedule:
      # all day, over the demo's 21:00-08:00 "hall closed" takeover: the test runs at any hour
      - {name: popular-test-all-day, playlist: popular-test, groups: [popular-test],
         start: "00:00", end: "00:00", priority: 300, takeover: true}
    """
)
# views per guide, in the order of the demo guides picked below: two tie on 5 (name decides),
# the sixth is viewed but not among the five
VIEWS = (7, 5, 6, 5, 3, 1)


def demo_guides() -> dict[str, str]:
    """code -> name of guides from three departments' files of the demo."""
    out: dict[str, str] = {}
    for name in ("gongan.yaml", "minzheng.yaml", "renshe.yaml"):
        for guide in yaml.safe_load((CONTENT / "guides" / name).read_text("utf-8"))[:2]:
            out[str(guide["code"])] = guide["name"]
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("live-popular")
    srv = LiveServer(data, env={"KIOSK_POLL_SECONDS": "5", "KIOSK_POPULAR_SECONDS": "1"}).start()
    extra = data / "extra"
    extra.mkdir()
    (extra / "screens.yaml").write_text(TEST_SCREENS, encoding="utf-8")
    srv.kiosk("import", str(extra))
    yield srv
    srv.stop()


def rotation(page, count: int, timeout: float) -> list[str]:
    """The items the wall shows, each time the current one changes, until ``count`` were seen."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(seen) < count:
        item = page.evaluate("() => { const el = document.querySelector('.slide-layer.current');"
                             " return el && el.dataset.item; }")
        if item and (not seen or seen[-1] != item):
            seen.append(item)
        time.sleep(0.1)
    return seen


def test_a_popular_item_rotates_the_five_most_viewed_guides(server: LiveServer):
    screens = server.screens()
    wall = next(s for s in screens if s["name"] == "热门测试大屏")
    kiosk = next(s for s in screens if s["kind"] == "kiosk")
    guides = demo_guides()
    views = dict(zip(guides, VIEWS, strict=True))
    expected = [f"guide:{code}" for code in sorted(views, key=lambda c: (-views[c], guides[c], c))[:5]]

    events = [{"kind": "guide_view", "guide": code} for code, n in views.items() for _ in range(n)]
    r = requests.post(f"{server.url}/screen/{kiosk['token']}/kiosk/events",
                      json={"visit": "0123456789abcdef", "events": events}, timeout=10)
    assert r.status_code == 204, r.text

    # the job ranks within a second or two and the publisher sends the wall its new state
    state_url = f"{server.url}/screen/{wall['token']}/state"
    deadline = time.monotonic() + 30
    state = None
    while time.monotonic() < deadline:
        state = requests.get(state_url, timeout=5).json()
        if [i["id"] for i in state["timeline"][0]["items"]] == expected:
            break
        time.sleep(0.2)
    assert [i["id"] for i in state["timeline"][0]["items"]] == expected, "the ranking did not reach the state"
    assert [state["items"][i]["title"] for i in expected] == [guides[i.partition(":")[2]] for i in expected]

    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        page.goto(f"{server.url}/screen/{wall['token']}")
        page.wait_for_function(f"() => document.body.dataset.version === '{state['version']}'", timeout=15000)
        seen = rotation(page, 11, timeout=40)  # two whole rounds of five 1 s slides, and a bit
        assert len(seen) >= 6, seen
        assert set(seen) == set(expected), seen
        assert expected[0] in seen[1:], seen  # the first item seen may have been half shown
        start = seen.index(expected[0], 1)
        assert seen[start:start + 5] == expected, seen  # most viewed first, in order
        html = page.inner_html(".slide-layer.current")
        assert 'data-kind="guide"' in html  # each is the guide's normal slide
        page.screenshot(path=str(ARTIFACTS / "screen-popular.png"))
