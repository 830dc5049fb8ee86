"""Markup typed into every remaining free-text field stays text, in real Chromium against
`kiosk serve` — on the panel pages that show it and on the screen that plays it.

One flow, as staff would type it: an admin creates an editor whose *user name* is a payload
and an API token with a payload *label*, pairs a device under a payload *screen name* into a
payload *group*; the editor writes a notice (payload *title*, rich *body* with scripts,
handlers and a ``javascript:`` link next to allowed formatting) and a *ticker line*; the
reviewer rejects the notice with a payload *reason*, then approves; the editor makes a
*playlist* (payload name and title); an admin schedules it with a payload *entry name*. The
paired screen then plays the notice and scrolls the ticker line — all as text, with only
the allowed formatting left in the body; identify, the dashboard, the schedule answer, the
alert acknowledgements and the audit log show the names as text too.

(Guide fields: test_review_browser.py; bundles: test_bundles_browser.py; alert text:
test_alerts_browser.py; disclosure agency: test_xss_disclosure_browser.py.)
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from ..browser import launch_chromium
from ..live import LiveServer
from .browser_util import (
    PASSWORD,
    XSS,
    XSS_IMG,
    assert_inert,
    fill_login,
    initial_admin,
    pair_device,
    panel_server,
    sign_in,
    watch_dialogs,
)

pytestmark = pytest.mark.browser
USER = "编辑" + XSS_IMG  # ≤ 64 characters
TOKEN_LABEL = "叫号系统" + XSS
GROUP = '三楼"><img src=x onerror=window.__xss=1>'
SCREEN = "三楼大屏" + XSS
NOTICE, NOTICE_TITLE = "xss-notice", "午休通知" + XSS
NOTICE_BODY = ('<p>中午 <strong>12:00</strong> 暂停<em>受理</em></p><ul><li>自助区照常开放</li></ul>'
               + XSS + '<a href="javascript:window.__xss=1">点此预约</a><p onclick="window.__xss=1">下午恢复</p>')
TICKER, TICKER_TEXT = "xss-ticker", "下午 13:30 恢复办理" + XSS
PLAYLIST = '三楼"onfocus="window.__xss=1"autofocus="<b>'  # names allow no spaces or slashes
PLAYLIST_TITLE = "三楼轮播" + XSS
ENTRY = "全天接管" + XSS
REASON = "标题要写清楚时间" + XSS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = panel_server(tmp_path_factory, "xss-panel", {"reviewer1": "reviewer"})
    yield srv
    srv.stop()


def submit_content(page, url: str, kind: str, fields: dict[str, str]) -> None:
    page.goto(f"{url}/admin/content/{kind}/new")
    for name, value in fields.items():
        page.fill(f"#f-{name}", value)
    page.click("[data-testid=save-submit]")
    page.wait_for_url("**/history")


def published(page) -> None:
    """Wait for the approval's flash; on a timeout the message says what the flash said instead
    (this wait once timed out on a loaded machine, and the page's answer was not recorded)."""
    expect(page.locator(".flashes")).to_contain_text("已通过并发布", timeout=30_000)


def review_box(page, text: str):
    return page.locator("section[data-testid^=review-]", has_text=text)


def test_markup_in_every_remaining_text_field_stays_text(server: LiveServer):
    dialogs: list[str] = []
    admin_name, admin_password = initial_admin(server)
    with launch_chromium() as browser:
        admin = watch_dialogs(browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN"), dialogs,
                              confirms=("确定撤销这条通知？屏幕会立即不再显示。",))
        sign_in(admin, server.url, admin_name, admin_password)

        # user name and token label, typed in the admin pages
        admin.goto(f"{server.url}/admin/users")
        admin.click("summary:has-text('新建用户')")
        admin.fill("#name", USER)
        admin.select_option("#role", "editor")
        admin.fill("#password", PASSWORD)
        admin.fill("#confirm", PASSWORD)
        admin.click("button:has-text('创建用户')")
        admin.wait_for_selector("text=已创建用户")
        assert_inert(admin, USER, scope="main")
        admin.goto(f"{server.url}/admin/tokens")
        admin.click("summary:has-text('新建令牌')")
        admin.fill("#label", TOKEN_LABEL)
        admin.select_option("#user", USER)
        admin.click("button:has-text('创建令牌')")
        admin.wait_for_selector("[data-testid=new-token]")
        assert_inert(admin, TOKEN_LABEL, USER, scope="main")
        admin.goto(f"{server.url}/admin/tokens")
        assert_inert(admin, TOKEN_LABEL, USER, scope="[data-testid=tokens]")

        # a device paired under a payload name into a payload group
        device, pairing = pair_device(browser, server.url, (admin_name, admin_password), name=SCREEN, group=GROUP)
        watch_dialogs(device, dialogs)
        device.wait_for_selector("#stage")
        pairing.goto(f"{server.url}/admin/screens")
        assert_inert(pairing, SCREEN, GROUP, scope="[data-testid=screens]")
        pairing.close()

        # the editor (a payload user name) writes a notice and a ticker line
        editor = watch_dialogs(browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN"), dialogs)
        sign_in(editor, server.url, USER)
        assert_inert(editor, USER, scope=".topbar")
        submit_content(editor, server.url, "notices", {"code": NOTICE, "title": NOTICE_TITLE, "body": NOTICE_BODY})
        assert_inert(editor, NOTICE_TITLE, USER, scope="main")
        submit_content(editor, server.url, "ticker", {"code": TICKER, "text": TICKER_TEXT, "groups": GROUP, "position": "0"})
        assert_inert(editor, TICKER_TEXT, GROUP, scope="main")
        for path, texts in (("notices", (NOTICE_TITLE,)), ("ticker", (TICKER_TEXT, GROUP))):
            editor.goto(f"{server.url}/admin/content/{path}")
            assert_inert(editor, *texts, scope="main")

        # the reviewer reads both (author, title, body and groups as text) and rejects the notice
        reviewer = watch_dialogs(browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN"), dialogs)
        sign_in(reviewer, server.url, "reviewer1")
        reviewer.goto(f"{server.url}/admin/review")
        # the diff shows the body as stored — already cleaned by nh3 — as text
        assert_inert(reviewer, NOTICE_TITLE, TICKER_TEXT, USER, GROUP, "<strong>12:00</strong>", scope="main")
        assert "javascript:" not in reviewer.inner_text("main") and "<script>" not in reviewer.inner_text(
            "[data-field=body_html]")
        box = review_box(reviewer, NOTICE_TITLE)
        box.locator("a:has-text('预览')").click()
        frame = reviewer.frame_locator("[data-testid=preview-frame]")
        frame.locator(".slide-notice").wait_for()
        assert NOTICE_TITLE in frame.locator(".slide-title").inner_text()
        assert frame.locator(".notice-text strong").inner_text() == "12:00"  # allowed formatting stays
        assert frame.locator(".notice-text em, .notice-text li").count() == 2
        assert frame.locator("script, [onerror], [onclick], a").count() == 0
        reviewer.go_back()
        box = review_box(reviewer, NOTICE_TITLE)
        box.locator("textarea[name=reason]").fill(REASON)
        box.locator("[data-testid=reject]").click()
        reviewer.wait_for_selector("text=已退回")
        review_box(reviewer, TICKER_TEXT).locator("[data-testid=approve]").click()
        published(reviewer)

        # the editor sees the reason, as text, on the history and on the form, and resubmits
        editor.goto(f"{server.url}/admin/content/notice/{NOTICE}/history")
        assert_inert(editor, REASON, NOTICE_TITLE, scope="main")
        editor.goto(f"{server.url}/admin/content/notices/{NOTICE}/edit")
        assert_inert(editor, REASON, scope="main")
        assert editor.input_value("#f-title") == NOTICE_TITLE
        editor.click("[data-testid=save-submit]")
        editor.wait_for_url("**/history")
        reviewer.goto(f"{server.url}/admin/review")
        review_box(reviewer, NOTICE_TITLE).locator("[data-testid=approve]").click()
        published(reviewer)

        # a playlist with a payload name and title, holding the notice
        editor.goto(f"{server.url}/admin/content/playlists/new")
        editor.fill("#f-code", PLAYLIST)
        editor.fill("#f-title", PLAYLIST_TITLE)
        editor.fill("input[name=p-0-ref]", f"notice:{NOTICE}")
        editor.fill("input[name=p-0-duration]", "30")
        editor.click("[data-testid=save-submit]")
        editor.wait_for_url("**/history")
        assert_inert(editor, PLAYLIST_TITLE, scope="main")
        editor.goto(f"{server.url}/admin/content/playlists")
        assert_inert(editor, PLAYLIST, PLAYLIST_TITLE, scope="main")
        reviewer.goto(f"{server.url}/admin/review")
        assert_inert(reviewer, PLAYLIST, PLAYLIST_TITLE, NOTICE_TITLE, scope="main")
        box = review_box(reviewer, PLAYLIST_TITLE)
        box.locator("a:has-text('预览')").click()
        reviewer.frame_locator("[data-testid=preview-frame]").locator(".slide-notice").wait_for()
        assert_inert(reviewer, PLAYLIST_TITLE, scope="main")
        reviewer.go_back()
        review_box(reviewer, PLAYLIST_TITLE).locator("[data-testid=approve]").click()
        published(reviewer)

        # an admin schedules it all day for the payload group, under a payload entry name
        admin.goto(f"{server.url}/admin/schedule/new")
        admin.fill("#name", ENTRY)
        admin.select_option("#playlist", PLAYLIST)
        admin.check(f"input[name=groups][value='{GROUP}']")
        admin.fill("#start_time", "00:00")
        admin.fill("#end_time", "00:00")
        admin.fill("#priority", "500")
        admin.check("#takeover")
        admin.click("[data-testid=entry-form] button[type=submit]")
        admin.wait_for_url(f"{server.url}/admin/schedule*")
        screen_id = next(s["id"] for s in server.screens() if s["name"] == SCREEN)
        admin.goto(f"{server.url}/admin/schedule")
        admin.select_option("#week-group", GROUP)
        admin.click("section:has(#week-group) button:has-text('查看')")
        admin.select_option("#ask-screen", str(screen_id))
        admin.click("[data-testid=ask-form] button[type=submit]")
        admin.wait_for_selector("[data-testid=answer]")
        assert_inert(admin, SCREEN, GROUP, PLAYLIST, ENTRY, scope="[data-testid=answer]")
        assert_inert(admin, PLAYLIST, scope="[data-testid=week]")
        assert_inert(admin, ENTRY, scope="main")

        # the paired screen plays the notice and scrolls the ticker line, as text
        deadline = time.monotonic() + 40
        while True:
            try:
                device.wait_for_selector(f".slide-layer.current[data-item='notice:{NOTICE}']", timeout=5000)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                device.reload()
        device.wait_for_selector(".region-ticker .ticker-item")
        assert_inert(device, NOTICE_TITLE, "中午 12:00 暂停受理", "下午恢复", TICKER_TEXT, images_ok=True)
        # the body's <img src=x> survives cleaning without its handler; no other image appeared
        assert device.locator("img[src=x]").count() == device.locator(".notice-text img[src=x]").count() == 1
        assert device.locator(".slide-layer.current .notice-text strong").first.inner_text() == "12:00"
        assert device.locator(".slide-layer.current .notice-text li").first.inner_text() == "自助区照常开放"
        assert "点此预约" in device.inner_text(".slide-layer.current .notice-text")  # the link's text, no link
        assert device.title().startswith(SCREEN)

        # identify: the screen shows its own (payload) name full-screen
        admin.goto(f"{server.url}/admin/screens")
        admin.locator("tr", has_text=SCREEN).locator("button:has-text('识别')").click()
        assert device.wait_for_selector("[data-testid=identify]", timeout=10000).inner_text() == SCREEN
        assert_inert(device, SCREEN, images_ok=True)

        # the dashboard (name, group, what it shows) and the alert acknowledgements
        admin.goto(f"{server.url}/admin/")
        row = admin.locator(f"[data-testid=screens] tr[data-screen-id='{screen_id}']")
        row.locator("[data-field=showing]", has_text=NOTICE_TITLE).wait_for(timeout=20000)
        assert_inert(admin, SCREEN, GROUP, NOTICE_TITLE, scope="[data-testid=screens]")
        admin.goto(f"{server.url}/admin/alerts")
        assert_inert(admin, GROUP, scope="[data-testid=alert-form]")
        admin.fill("textarea[name=text]", "三楼临时检修，请到二楼办理")
        admin.check(f"input[name=groups][value='{GROUP}']")
        admin.click("[data-testid=alert-send]")
        acks = admin.locator("[data-testid=active-alerts] [data-testid=acks]").first
        acks.wait_for()
        assert_inert(admin, SCREEN, GROUP, scope="[data-testid=active-alerts]")
        assert acks.locator("li").first.get_attribute("data-screen") == SCREEN
        admin.click("[data-testid=alert-cancel]")
        admin.wait_for_selector("text=目前没有正在显示的通知")

        # the audit log names the payload user and quotes the reason, as text
        admin.goto(f"{server.url}/admin/audit")
        assert_inert(admin, USER, REASON, scope="main")
        assert dialogs == [], dialogs


def test_a_payload_user_name_is_text_on_the_login_page_after_sign_out(server: LiveServer):
    """The login form keeps the name typed when a sign-in is refused: as a value, not markup."""
    with launch_chromium() as browser:
        page = browser.new_page(locale="zh-CN")
        page.goto(f"{server.url}/admin/login")
        fill_login(page, USER, "wrong-password-1")
        page.wait_for_selector("[data-testid=login-error]")
        assert page.input_value("#name") == USER
        assert_inert(page)
