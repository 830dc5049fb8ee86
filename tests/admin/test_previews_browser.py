"""Layout previews of a ticker line and a playlist, and the schedule's week view, in real
Chromium against `kiosk serve`, as an editor uses them before submitting.

Screenshots (docs/screenshots/): admin-content-ticker-preview, admin-content-playlist-preview,
admin-schedule.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ..browser import launch_chromium
from ..live import LiveServer
from .browser_util import assert_inert, panel_server, save_doc_shot, sign_in, watch_dialogs

pytestmark = pytest.mark.browser
LINE = "本周六上午 9:00-12:00 正常办公，欢迎前来办理户籍、社保业务"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = panel_server(tmp_path_factory, "previews-live", {"editor1": "editor"})
    yield srv
    srv.stop()


def test_ticker_and_playlist_previews_and_the_week_view(server: LiveServer):
    dialogs: list[str] = []
    with launch_chromium() as browser:
        page = watch_dialogs(browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN"), dialogs)
        sign_in(page, server.url, "editor1")

        # a ticker line, previewed where it scrolls: the lobby wall's ticker region
        page.goto(f"{server.url}/admin/content/ticker/new")
        page.fill("#f-code", "saturday")
        page.fill("#f-text", LINE)
        page.fill("#f-groups", "lobby")
        page.fill("#f-position", "0")
        page.click("[data-testid=save-draft]")
        page.wait_for_url("**/admin/content/ticker/saturday/history")
        page.click("[data-testid=version-1] a:has-text('预览')")
        frame = page.frame_locator("[data-testid=preview-frame]")
        track = frame.locator("[data-testid=ticker-track]")
        track.wait_for()
        assert track.locator(".preview-this").first.inner_text() == LINE
        assert "欢迎来到老城区政务服务中心" in track.inner_text()  # among the lobby's lines
        assert "animation-duration" in track.get_attribute("style")
        # the frame runs no script; the browser does run the CSS animation
        moved = page.frame_locator("[data-testid=preview-frame]").locator("[data-testid=ticker-track]")
        # waits until the frame's stylesheet has loaded (reading it at once flaked on a busy machine)
        expect(moved).to_have_css("animation-name", "ticker-scroll", timeout=15000)
        page.wait_for_timeout(1500)  # scrolled a little: the picture shows a running ticker
        save_doc_shot(page, "admin-content-ticker-preview", full_page=False)
        page.select_option("#layout", "led_strip")
        page.click("[data-testid=preview-form] button[type=submit]")
        page.wait_for_selector("[data-testid=no-ticker]")

        # the demo's lobby playlist: every item in order, each as the wall shows it
        page.goto(f"{server.url}/admin/content/playlists/lobby-day/edit")
        page.click("[data-testid=save-draft]")
        page.wait_for_url("**/admin/content/playlist/lobby-day/history")
        page.click("[data-testid=version-1] a:has-text('预览')")
        parts = page.locator("[data-testid=playlist-parts] > li")
        parts.first.wait_for()
        refs = [parts.nth(i).get_attribute("data-ref") for i in range(parts.count())]
        assert refs[0].startswith("guide:") and refs[1] == "bundle:newborn" and refs[2] == "evaluation:hall"
        assert refs.count("disclosure:laocheng-2023") >= 2  # a deck: one frame per page
        first = page.frame_locator("[data-testid=part-1] iframe")
        first.locator(".slide-guide, .slide").first.wait_for()
        page.frame_locator("[data-testid=part-2] iframe").locator(".slide").first.wait_for()
        assert_inert(page, "第 1 项", "第 2 项 · 一件事：", scope="main")
        save_doc_shot(page, "admin-content-playlist-preview", full_page=False)

        # the schedule's week view for the lobby group: which playlist plays when
        page.goto(f"{server.url}/admin/schedule?group=lobby")
        page.wait_for_selector("[data-testid=week]")
        assert page.locator("[data-testid=week] thead th").count() == 1 + 7  # 时间 + seven days
        assert page.locator("[data-testid=week] td[data-mode=takeover]").count() > 0  # the evening closure
        assert "lobby-day" in page.inner_text("[data-testid=week]")
        page.locator("[data-testid=week]").scroll_into_view_if_needed()
        save_doc_shot(page, "admin-schedule", full_page=False)
        assert dialogs == [], dialogs
