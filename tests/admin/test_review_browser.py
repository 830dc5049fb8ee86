"""The main flow as hall staff do it, in real Chromium against `kiosk serve`: an editor writes a
new guide with its 空表 and 样表 and submits it; a reviewer reads the diff, previews and
approves it; a new device opens /screen, is paired by its 6-digit code into a group whose
playlist shows the guide, and plays it without anyone touching it; the citizen's phone page
(JavaScript off) links the approved files.

The second test types a script into every free-text field of a guide: it stays text on the
panel, on a screen and on the phone page.

Screenshots (docs/screenshots/): admin-content-guides, admin-content-form-errors,
admin-content-history, admin-review, admin-content-preview, screen-guide, guide-mobile.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from ..browser import ARTIFACTS, launch_chromium
from ..live import LiveServer
from .browser_util import (
    PDF_BYTES,
    initial_admin,
    pair_device,
    panel_server,
    png_bytes,
    save_doc_shot,
    sign_in,
)

pytestmark = pytest.mark.browser
CODE = "BROWSER-0001"
NAME = "居住证签注"
FIELDS = {
    "window": "A区 5号窗口（户政）", "location": "老城区政务服务中心一楼A区", "hours": "工作日 9:00-12:00 13:30-17:00",
    "fee": "不收费", "phone": "0379-63231110", "complaint_phone": "12345", "basis": "《居住证暂行条例》第十一条",
    "conditions": "在本市居住并已领取居住证，居住证有效期届满前一个月内", "process": "提交申请\n窗口核验\n当场签注",
    "faq": "可以代办吗 | 可以，代办人须携带本人和申请人身份证",
}
FLOW_GROUP = textwrap.dedent(f"""
    playlists:
      - name: review-flow
        title: 审核流程测试
        items:
          - {{ref: "guide:{CODE}", duration: 30}}
    groups:
      - {{name: review-flow, title: 审核测试组, default_playlist: review-flow}}
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


def import_yaml(server: LiveServer, folder, text: str) -> None:
    folder.mkdir()
    (folder / "screens.yaml").write_text(text, encoding="utf-8")
    server.kiosk("import", str(folder))


def wait_for_slide(page, ref: str, seconds: float = 40) -> None:
    """The import ran in another process; a screen page picks it up when it (re)loads."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            page.wait_for_selector(f".slide-layer.current[data-item='{ref}']", timeout=5000)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            page.reload()


def fill_guide(page, code: str, name: str, fields: dict[str, str], material: str, note: str) -> None:
    """Fill the new-guide form open in ``page``: the required choices, ``fields`` by id and
    one material (name and note)."""
    page.fill("#f-code", code)
    page.fill("#f-name", name)
    page.select_option("#f-item_type", "行政确认")
    page.select_option("#f-department", "gongan")
    page.select_option("#f-case_type", "即办件")
    for field, text in fields.items():
        page.fill(f"#f-{field}", text)
    page.click("[data-testid=add-material]")
    page.fill("input[name=m-0-name]", material)
    page.fill("input[name=m-0-note]", note)


def test_editor_submits_reviewer_approves_a_paired_screen_shows_it(server: LiveServer, tmp_path):
    sample, blank = tmp_path / "样表.png", tmp_path / "空表.pdf"
    sample.write_bytes(png_bytes(480, 300))
    blank.write_bytes(PDF_BYTES)
    dialogs: list[str] = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        # the editor writes a new guide, with the forms a citizen needs
        sign_in(page, server.url, "editor1")
        page.click(".sidenav a:has-text('办事指南')")
        page.wait_for_url("**/admin/content/guides")
        save_doc_shot(page, "admin-content-guides", full_page=False)
        page.click("[data-testid=guide-new]")
        fill_guide(page, CODE, NAME, FIELDS, "居住证", "原件核验后退还")
        page.set_input_files("input[name=m-0-blank_file]", str(blank))
        page.set_input_files("input[name=m-0-sample_file]", str(sample))
        page.fill("#f-promised_limit_days", "30")
        page.fill("#f-legal_limit_days", "20")
        page.click("[data-testid=save-submit]")
        page.wait_for_selector("#promised_limit_days-error")  # refused, message next to the field
        assert "不能超过法定时限" in page.inner_text("#promised_limit_days-error")
        assert page.input_value("input[name=m-0-name]") == "居住证"  # nothing typed is lost ...
        assert "需要在改正后重新选择" in page.inner_text("#materials-1-sample_form-note")  # ... but files
        page.locator("#promised_limit_days-error").scroll_into_view_if_needed()
        save_doc_shot(page, "admin-content-form-errors")
        page.set_input_files("input[name=m-0-blank_file]", str(blank))
        page.set_input_files("input[name=m-0-sample_file]", str(sample))
        page.fill("#f-promised_limit_days", "1")
        page.click("[data-testid=save-submit]")
        page.wait_for_url(f"**/admin/content/guide/{CODE}/history")
        assert "待审核" in page.inner_text("[data-testid=version-1] [data-testid=state]")
        assert "空表" in page.inner_text("[data-testid=version-1]") and "样表" in page.inner_text("[data-testid=version-1]")
        save_doc_shot(page, "admin-content-history")
        page.click("[data-testid=logout]")

        # the reviewer sees the diff, opens the 样表 and the preview, approves
        sign_in(page, server.url, "reviewer1")
        page.click(".sidenav a:has-text('内容审核')")
        box = page.locator(f"[data-testid=review-{CODE}]")
        assert NAME in box.inner_text() and "居住证" in box.inner_text()
        save_doc_shot(page, "admin-review")
        box.locator("a:has-text('预览')").click()
        frame = page.frame_locator("[data-testid=preview-frame]")
        frame.locator(".slide").first.wait_for()
        assert NAME in frame.locator(".slide").first.inner_text()
        save_doc_shot(page, "admin-content-preview")
        page.go_back()
        page.locator(f"[data-testid=review-{CODE}] [data-testid=approve]").click()
        page.wait_for_selector("text=已通过并发布")

        # a new device is paired by its code into a group whose playlist shows the guide
        import_yaml(server, tmp_path / "flow", FLOW_GROUP)
        device, panel = pair_device(browser, server.url, initial_admin(server),
                                    name="审核测试大屏", group="review-flow")
        device.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        wait_for_slide(device, f"guide:{CODE}")
        slide = device.inner_text(".slide-layer.current")
        assert NAME in slide and "A区 5号窗口（户政）" in slide and "居住证" in slide
        panel.goto(f"{server.url}/admin/screens")
        panel.locator("tr", has_text="审核测试大屏").locator("text=在线").wait_for(timeout=10000)
        device.wait_for_timeout(1000)  # the slide's entrance transition
        save_doc_shot(device, "screen-guide", full_page=False)

        # the citizen's phone page works without script and offers the approved files
        phone_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                            java_script_enabled=False, accept_downloads=True)
        phone = phone_context.new_page()
        phone.goto(f"{server.url}/g/{CODE}")
        row = phone.locator("table.materials tr", has_text="居住证")
        with phone.expect_download() as download:
            row.locator("a:has-text('空表下载')").click()
        assert download.value.suggested_filename == "居住证-空表.pdf"
        assert Path(download.value.path()).read_bytes() == PDF_BYTES
        href = row.locator("a:has-text('样表查看')").get_attribute("href")
        assert href.startswith("/files/") and href.endswith(".png")
        phone.locator("#materials").scroll_into_view_if_needed()
        save_doc_shot(phone, "guide-mobile", full_page=False)
        response = phone.goto(server.url + href)
        assert response.status == 200 and response.headers["content-type"] == "image/png"
        assert response.headers["content-disposition"] == "inline"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.body() == sample.read_bytes()
        assert dialogs == [], dialogs


# -- a script typed into every field of a guide -----------------------------------------------
XSS_CODE = "BROWSER-XSS-0001"
PAYLOAD = '<img src=x onerror=alert(1)><script>alert(2)</script>'
XSS_NAME = "浏览器测试事项" + PAYLOAD
SHORT = "<b onmouseover=alert(3)>x"  # fits the 60-character phone fields, no "/" (a number separator)
TEXT_FIELDS = {
    "window": "A01 综合窗口" + PAYLOAD, "location": "政务服务中心一楼" + PAYLOAD,
    "hours": "工作日 9:00-17:00" + PAYLOAD, "fee": "不收费" + PAYLOAD, "phone": "0371-1234" + SHORT,
    "complaint_phone": "12345" + SHORT, "basis": "《居民身份证法》" + PAYLOAD,
    "conditions": "本市户籍居民" + PAYLOAD, "process": f"提交材料{PAYLOAD}\n窗口受理\n当场办结",
    "faq": f"要带照片吗{PAYLOAD} | 不用，现场采集{SHORT}",
}
XSS_SCREENS = textwrap.dedent(f"""
    playlists:
      - name: xss-guide
        items:
          - {{ref: "guide:{XSS_CODE}", duration: 30}}
    groups:
      - {{name: xss-guide, title: 指南转义测试组, default_playlist: xss-guide}}
    screens:
      - {{name: 指南转义测试大屏, group: xss-guide, kind: led_wall}}
    schedule:
      - {{name: xss-guide-all-day, playlist: xss-guide, groups: [xss-guide],
          start: "00:00", end: "00:00", priority: 200, takeover: true}}
    """)


def test_a_script_typed_into_every_guide_field_stays_text(server: LiveServer, tmp_path):
    dialogs: list[str] = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        sign_in(page, server.url, "editor1")
        page.goto(f"{server.url}/admin/content/guides/new")
        fill_guide(page, XSS_CODE, XSS_NAME, TEXT_FIELDS, "居民身份证", "原件核验后退还" + SHORT)
        page.click("[data-testid=save-submit]")
        page.wait_for_url(f"**/admin/content/guide/{XSS_CODE}/history")
        page.click("[data-testid=logout]")

        sign_in(page, server.url, "reviewer1")
        page.click(".sidenav a:has-text('内容审核')")
        box = page.locator(f"[data-testid=review-{XSS_CODE}]")
        assert XSS_NAME in box.inner_text()  # the payload is text on the panel
        assert page.locator("main img[src=x], main script, main b[onmouseover]").count() == 0
        box.locator("[data-testid=approve]").click()
        page.wait_for_selector("text=已通过并发布")

        import_yaml(server, tmp_path / "xss", XSS_SCREENS)
        screen = next(s for s in server.screens() if s["name"] == "指南转义测试大屏")
        shown = browser.new_page(viewport={"width": 1920, "height": 1080})
        shown.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        shown.goto(f"{server.url}/screen/{screen['token']}")
        wait_for_slide(shown, f"guide:{XSS_CODE}")
        slide_text = shown.inner_text(".slide-layer.current")
        assert "浏览器测试事项" in slide_text and PAYLOAD in slide_text
        assert shown.locator(".slide-layer.current img[src=x]").count() == 0
        assert shown.locator(".slide-layer.current script").count() == 0
        shown.screenshot(path=str(ARTIFACTS / "screen-guide-xss.png"))

        # the citizen's phone page (/g/<code>, the QR code's target) shows the typed text as text
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        phone.goto(f"{server.url}/g/{XSS_CODE}")
        body = "".join(phone.inner_text("body").split())  # phone numbers are split into links
        for text in (XSS_NAME, *TEXT_FIELDS.values(), "原件核验后退还" + SHORT):
            for line in text.split("\n"):
                assert "".join(line.split(" | ")[0].split()) in body, line
        assert phone.locator("img[src=x], script:not([src]), b[onmouseover]").count() == 0
        phone.mouse.move(10, 10)
        phone.screenshot(path=str(ARTIFACTS / "guide-mobile-xss.png"), full_page=True)
        assert dialogs == [], dialogs
