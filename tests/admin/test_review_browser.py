"""The main flow as hall staff do it, in real Chromium against `kiosk serve`: an editor writes a
new guide and submits it, a reviewer approves it, and the guide's slide plays on a screen —
with a script typed into its name shown as plain text, never run."""

from __future__ import annotations

import textwrap
import time

import pytest

from ..browser import ARTIFACTS, launch_chromium
from ..live import LiveServer
from .browser_util import panel_server, sign_in

pytestmark = pytest.mark.browser
CODE = "BROWSER-0001"
PAYLOAD = '<img src=x onerror=alert(1)><script>alert(2)</script>'
NAME = "浏览器测试事项" + PAYLOAD
SHORT = "<b onmouseover=alert(3)>x"  # fits the 60-character phone fields, no "/" (a number separator)
TEXT_FIELDS = {
    "window": "A01 综合窗口" + PAYLOAD, "location": "政务服务中心一楼" + PAYLOAD,
    "hours": "工作日 9:00-17:00" + PAYLOAD, "fee": "不收费" + PAYLOAD, "phone": "0371-1234" + SHORT,
    "complaint_phone": "12345" + SHORT, "basis": "《居民身份证法》" + PAYLOAD,
    "conditions": "本市户籍居民" + PAYLOAD, "process": f"提交材料{PAYLOAD}\n窗口受理\n当场办结",
    "faq": f"要带照片吗{PAYLOAD} | 不用，现场采集{SHORT}",
}
SCREENS = textwrap.dedent(f"""
    playlists:
      - name: review-flow
        title: 审核流程测试
        items:
          - {{ref: "guide:{CODE}", duration: 30}}
    groups:
      - {{name: review-flow, title: 审核测试组, default_playlist: review-flow}}
    screens:
      - {{name: 审核测试大屏, group: review-flow, kind: led_wall}}
    schedule:
      # all day, over the demo's 21:00-08:00 "hall closed" takeover: the test runs at any hour
      - {{name: review-flow-all-day, playlist: review-flow, groups: [review-flow],
          start: "00:00", end: "00:00", priority: 200, takeover: true}}
    """)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = panel_server(tmp_path_factory, "review-live", {"editor1": "editor", "reviewer1": "reviewer"})
    yield srv
    srv.stop()


def test_editor_submits_reviewer_approves_screen_shows_it_inert(server: LiveServer, tmp_path):
    dialogs: list[str] = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        # the editor writes a new guide
        sign_in(page, server.url, "editor1")
        page.click(".sidenav a:has-text('办事指南')")
        page.wait_for_url("**/admin/content/guides")
        page.screenshot(path=str(ARTIFACTS / "admin-content-guides.png"), full_page=True)
        page.click("[data-testid=guide-new]")
        page.fill("#f-code", CODE)
        page.fill("#f-name", NAME)
        page.select_option("#f-item_type", "行政确认")
        page.select_option("#f-department", "gongan")
        page.select_option("#f-case_type", "即办件")
        # every free-text field gets a payload: it must stay text on the panel, screen and phone
        for field, text in TEXT_FIELDS.items():
            page.fill(f"#f-{field}", text)
        page.click("[data-testid=add-material]")
        page.fill("input[name=m-0-name]", "居民身份证")
        page.fill("input[name=m-0-note]", "原件核验后退还" + SHORT)
        page.fill("#f-promised_limit_days", "30")
        page.fill("#f-legal_limit_days", "20")
        page.click("[data-testid=save-submit]")
        page.wait_for_selector("#promised_limit_days-error")  # refused, message next to the field
        assert "不能超过法定时限" in page.inner_text("#promised_limit_days-error")
        assert page.input_value("input[name=m-0-name]") == "居民身份证"  # nothing typed is lost
        page.screenshot(path=str(ARTIFACTS / "admin-content-form-errors.png"), full_page=True)
        page.fill("#f-promised_limit_days", "1")
        page.click("[data-testid=save-submit]")
        page.wait_for_url(f"**/admin/content/guide/{CODE}/history")
        assert "待审核" in page.inner_text("[data-testid=version-1] [data-testid=state]")
        page.screenshot(path=str(ARTIFACTS / "admin-content-history.png"), full_page=True)
        page.click("[data-testid=logout]")

        # the reviewer sees the diff and approves
        sign_in(page, server.url, "reviewer1")
        page.click(".sidenav a:has-text('内容审核')")
        box = page.locator(f"[data-testid=review-{CODE}]")
        assert NAME in box.inner_text()  # the payload is text on the panel
        page.screenshot(path=str(ARTIFACTS / "admin-content-review.png"), full_page=True)
        box.locator("a:has-text('预览')").click()
        frame = page.frame_locator("[data-testid=preview-frame]")
        frame.locator(".slide").first.wait_for()
        assert NAME in frame.locator(".slide").first.inner_text()
        page.screenshot(path=str(ARTIFACTS / "admin-content-preview.png"), full_page=True)
        page.go_back()
        page.locator(f"[data-testid=review-{CODE}] [data-testid=approve]").click()
        page.wait_for_selector("text=已通过并发布")

        # a playlist references the new guide; a screen of that group shows it
        folder = tmp_path / "screens"
        folder.mkdir()
        (folder / "screens.yaml").write_text(SCREENS, encoding="utf-8")
        server.kiosk("import", str(folder))
        screen = next(s for s in server.screens() if s["name"] == "审核测试大屏")
        shown = browser.new_page(viewport={"width": 1920, "height": 1080})
        shown.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        deadline = time.monotonic() + 30
        while True:  # the import runs in another process; the server picks it up on (re)load
            shown.goto(f"{server.url}/screen/{screen['token']}")
            try:
                shown.wait_for_selector(f".slide-layer.current[data-item='guide:{CODE}']", timeout=4000)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
        slide_text = shown.inner_text(".slide-layer.current")
        assert "浏览器测试事项" in slide_text and PAYLOAD in slide_text
        assert shown.locator(".slide-layer.current img[src=x]").count() == 0
        assert shown.locator(".slide-layer.current script").count() == 0
        time.sleep(1)
        shown.screenshot(path=str(ARTIFACTS / "admin-content-screen.png"))

        # the citizen's phone page (/g/<code>, the QR code's target) shows the typed text as text
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        phone.goto(f"{server.url}/g/{CODE}")
        body = "".join(phone.inner_text("body").split())  # phone numbers are split into links
        for text in (NAME, *TEXT_FIELDS.values(), "原件核验后退还" + SHORT):
            for line in text.split("\n"):
                assert "".join(line.split(" | ")[0].split()) in body, line
        assert phone.locator("img[src=x], script:not([src]), b[onmouseover]").count() == 0
        phone.mouse.move(10, 10)
        phone.screenshot(path=str(ARTIFACTS / "guide-mobile-xss.png"), full_page=True)
        assert dialogs == [], dialogs
