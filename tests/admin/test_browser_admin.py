"""The staff panel in real Chromium against a real ``kiosk serve``: sign in through the form,
see the dashboard with the demo screens count a screen that starts and stops playing in
another tab without a reload, sign out; five bad passwords lock an account.

Screenshots: docs/screenshots/admin-login, -dashboard, -users, -login-locked.png. The page
must render its Chinese in the vendored Noto Sans SC, not a system fallback.
"""

from __future__ import annotations

import re

import pytest
import yaml

from ..browser import launch_chromium
from ..conftest import CONTENT
from ..live import LiveServer
from .browser_util import FONT_LOADED, fill_login, save_doc_shot

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 860}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("admin-live")).start()
    yield srv
    srv.stop()


def admin_credentials(srv: LiveServer) -> tuple[str, str]:
    name, password = (srv.data_dir / "initial-admin.txt").read_text("utf-8").split()[:2]
    return name, password


def test_admin_signs_in_sees_the_demo_screens_and_signs_out(server):
    name, password = admin_credentials(server)
    screens = server.screens()
    demo_names = [s["name"] for s in yaml.safe_load((CONTENT / "screens.yaml").read_text("utf-8"))["screens"]]
    total = len(screens)
    with launch_chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        page.goto(f"{server.url}/admin/")
        assert page.url.startswith(f"{server.url}/admin/login")
        page.wait_for_selector("text=工作人员登录")
        assert page.evaluate(FONT_LOADED) > 0, "Noto Sans SC did not load on the login page"
        save_doc_shot(page, "admin-login", full_page=False)

        fill_login(page, name, password)
        page.wait_for_url(f"{server.url}/admin/")
        page.wait_for_selector("h1:has-text('概览')")
        table = page.inner_text("[data-testid=screens]")
        for demo in demo_names:
            assert demo in table
        assert page.inner_text("[data-testid=screens-online]") == f"0 / {total}"
        page.wait_for_selector("body[data-live=true]", timeout=10000)

        # a screen starts playing in another tab: the open dashboard counts it, no reload
        screen_page = browser.new_page(viewport={"width": 960, "height": 540})
        screen_page.goto(f"{server.url}/screen/{screens[0]['token']}")
        screen_page.wait_for_selector(".slide-layer.current", timeout=30000)
        page.wait_for_selector("#screens-card [data-count=online]:text-is('1')", timeout=20000)
        assert page.inner_text("[data-testid=screens-online]") == f"1 / {total}"
        assert page.inner_text("[data-testid=screens-offline-note]") == f"{total - 1} 台离线"
        row = page.locator(f"[data-testid=screens] tr[data-screen-id='{screens[0]['id']}']")
        assert row.locator("[data-field=online]").inner_text() == "在线"
        assert page.evaluate(FONT_LOADED) > 0
        family = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert family.startswith('"Noto Sans SC"'), family
        row.locator("[data-field=version] code").wait_for(timeout=20000)  # the first heartbeat
        save_doc_shot(page, "admin-dashboard")

        # ... and sees it drop out when its tab closes
        screen_page.close()
        page.wait_for_selector("#screens-card [data-count=online]:text-is('0')", timeout=20000)
        assert row.locator("[data-field=online]").inner_text() == "离线"
        assert page.inner_text("[data-testid=screens-offline-note]") == f"{total} 台离线"

        page.click("nav.sidenav >> text=用户管理")
        page.wait_for_selector("h1:has-text('用户管理')")
        page.click("summary:has-text('新建用户')")
        page.fill("#name", "张三")
        page.select_option("#role", "editor")
        page.fill("#password", "abc123")
        page.fill("#confirm", "abc123")
        page.click("button:has-text('创建用户')")
        page.wait_for_selector("#password-error")
        assert "密码至少 10 位" in page.inner_text("#password-error")
        assert page.input_value("#name") == "张三"  # nothing typed is lost
        save_doc_shot(page, "admin-users")

        page.click("[data-testid=logout]")
        page.wait_for_selector("text=您已安全退出")
        page.goto(f"{server.url}/admin/")
        assert page.url.startswith(f"{server.url}/admin/login")


def test_five_bad_passwords_pause_this_browser_on_the_page(server):
    server.kiosk("users", "add", "lockme", "--role", "editor", input="correct-horse-42\n")
    with launch_chromium() as browser:
        page = browser.new_page(viewport=VIEWPORT, locale="zh-CN")
        page.goto(f"{server.url}/admin/login")
        for attempt in range(1, 5):
            fill_login(page, "lockme", f"wrong-password-{attempt}")
            page.wait_for_selector("[data-testid=login-error]")
            assert "用户名或密码不正确" in page.inner_text("[data-testid=login-error]")
        fill_login(page, "lockme", "wrong-password-5")
        page.wait_for_selector("[data-testid=login-error]:has-text('已暂停')")
        message = page.inner_text("[data-testid=login-error]")
        assert re.search(r"已暂停用该用户名登录，请于 \d\d:\d\d:\d\d 之后再试", message), message
        fill_login(page, "lockme", "correct-horse-42")  # the right password, still refused here
        page.wait_for_selector("[data-testid=login-error]:has-text('已暂停')")
        assert "/admin/login" in page.url
        assert page.input_value("#name") == "lockme" and page.input_value("#password") == ""
        save_doc_shot(page, "admin-login-locked", full_page=False)
