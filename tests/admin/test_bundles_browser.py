"""一件事 and playlist editing as staff do it, in real Chromium against `kiosk serve` (demo
content): an editor builds a bundle and a playlist (row buttons, a refused form with the
messages next to the rows, Enter saves a draft), a reviewer previews the bundle slide — with
a script typed into its name shown as text, never run — and approves both."""

from __future__ import annotations

import pytest

from ..browser import ARTIFACTS, launch_chromium
from ..live import LiveServer
from .browser_util import panel_server, save_doc_shot, sign_in

pytestmark = pytest.mark.browser
PAYLOAD = '<img src=x onerror=alert(1)><script>alert(2)</script>'
NAME = "浏览器一件事" + PAYLOAD
BIRTH_CERT = "1141030200516492822000090010000"  # 出生医学证明签发 (demo guides)
HUKOU = "11410302415803278B7000010060000"  # 出生登记


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = panel_server(tmp_path_factory, "bundles-live", {"editor1": "editor", "reviewer1": "reviewer"})
    yield srv
    srv.stop()


def test_editor_builds_a_bundle_and_a_playlist_reviewer_approves(server: LiveServer):
    dialogs: list[str] = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        sign_in(page, server.url, "editor1")
        page.click(".sidenav a:has-text('一件事')")
        page.wait_for_url("**/admin/content/bundles")
        assert "新生儿出生一件事" in page.inner_text("[data-testid=bundles]")
        page.screenshot(path=str(ARTIFACTS / "admin-content-bundles.png"), full_page=True)
        page.click("[data-testid=bundle-new]")
        page.fill("#f-code", "browser-bundle")
        page.fill("#f-name", NAME)
        page.fill("#f-description", "浏览器测试：一次申请，两项联办")
        page.fill("#f-visits", "0")
        page.fill("input[name=g-0-code]", "NOPE")
        page.click("[data-testid=add-guide]")  # redraws the form with one more row
        page.fill("input[name=g-1-code]", BIRTH_CERT)
        page.click("[data-testid=save-submit]")
        page.wait_for_selector("#guides-1-error")
        assert "没有实施编码为“NOPE”的办事指南" in page.inner_text("#guides-1-error")
        assert page.input_value("#f-name") == NAME  # nothing typed is lost
        page.fill("input[name=g-0-code]", HUKOU)
        page.click("button[value=g-down-0]")  # order: 出生医学证明 first
        assert page.input_value("input[name=g-0-code]") == BIRTH_CERT
        assert page.locator("[data-testid=bundle-materials] tbody tr").count() >= 2
        save_doc_shot(page, "admin-content-bundle-form")
        page.press("#f-name", "Enter")  # Enter saves a draft; it never presses a row button
        page.wait_for_url("**/admin/content/bundle/browser-bundle/history")
        assert page.inner_text("[data-testid=version-1] [data-testid=state]") == "草稿"
        page.click("[data-testid=version-1] [data-testid=submit]")
        page.wait_for_selector("text=已提交审核")

        page.click(".sidenav a:has-text('播放列表')")
        page.wait_for_url("**/admin/content/playlists")
        assert "lobby-day" in page.inner_text("[data-testid=playlists]")
        save_doc_shot(page, "admin-content-playlists")
        page.click("[data-testid=playlist-new]")
        page.fill("#f-code", "browser-list")
        page.fill("#f-title", "浏览器测试列表")
        page.fill("input[name=p-0-ref]", "bundle:newborn")
        page.fill("input[name=p-0-duration]", "20")
        page.click("[data-testid=add-item]")
        page.fill("input[name=p-1-ref]", "evaluation:hall")
        page.fill("input[name=p-1-duration]", "2")
        page.click("[data-testid=save-submit]")
        page.wait_for_selector("#items-2-duration-error")
        assert "3–600 秒" in page.inner_text("#items-2-duration-error")
        save_doc_shot(page, "admin-content-playlist-form")
        page.fill("input[name=p-1-duration]", "15")
        page.click("[data-testid=save-submit]")
        page.wait_for_url("**/admin/content/playlist/browser-list/history")
        page.click("[data-testid=logout]")

        sign_in(page, server.url, "reviewer1")
        page.click(".sidenav a:has-text('内容审核')")
        box = page.locator("[data-testid=review-browser-bundle]")
        assert NAME in box.inner_text()  # the payload is text on the panel
        assert "出生医学证明" in box.inner_text()  # the diff names the guides
        page.screenshot(path=str(ARTIFACTS / "admin-content-bundle-review.png"), full_page=True)
        box.locator("a:has-text('预览')").click()
        frame = page.frame_locator("[data-testid=preview-frame]")
        frame.locator(".slide-bundle").wait_for()
        assert NAME in frame.locator(".slide-bundle h1").inner_text()
        assert frame.locator(".slide-bundle img[src=x]").count() == 0
        save_doc_shot(page, "admin-content-bundle-preview")
        page.go_back()
        page.locator("[data-testid=review-browser-bundle] [data-testid=approve]").click()
        page.wait_for_selector("text=已通过并发布")
        page.locator("[data-testid=review-browser-list] [data-testid=approve]").click()
        page.wait_for_selector("text=已通过并发布")
        page.click(".sidenav a:has-text('播放列表')")
        assert "browser-list" in page.inner_text("[data-testid=playlists]")
        assert dialogs == [], dialogs
