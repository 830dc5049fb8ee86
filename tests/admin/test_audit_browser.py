"""The audit log page in real Chromium against `kiosk serve`: a script typed as a user name on
the login page shows up in the log as plain text (never runs), a screen renamed in the panel
shows as a before → after change, the search form filters, a bad date is reported next to
its field, and the CSV download starts with the BOM. Writes docs/screenshots/admin-audit.png."""

from __future__ import annotations

import pytest

from ..browser import launch_chromium
from ..live import LiveServer
from .browser_util import FONT_LOADED, fill_login, save_doc_shot, sign_in

pytestmark = pytest.mark.browser
PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = LiveServer(tmp_path_factory.mktemp("audit-live")).start()
    yield srv
    srv.stop()


def test_audit_page_shows_typed_scripts_inert_filters_and_exports(server: LiveServer, tmp_path):
    name, password = (server.data_dir / "initial-admin.txt").read_text("utf-8").split()[:2]
    screen = server.screens()[0]
    dialogs: list[str] = []
    with launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        page.goto(f"{server.url}/admin/login")
        fill_login(page, PAYLOAD, "wrong-password-1")  # audited under the typed name
        page.wait_for_selector("text=用户名或密码不正确")
        sign_in(page, server.url, name, password)
        page.wait_for_url(f"{server.url}/admin/")

        page.goto(f"{server.url}/admin/screens/{screen['id']}/edit")
        page.fill("input[name=name]", screen["name"] + "（东侧）")
        page.click("button[type=submit]:has-text('保存')")
        page.wait_for_url(f"{server.url}/admin/screens")

        page.click(".sidenav a:has-text('审计日志')")
        page.wait_for_url(f"{server.url}/admin/audit")
        table = page.locator("[data-testid=audit-rows]")
        table.wait_for()
        assert page.evaluate(FONT_LOADED) > 0
        failed = table.locator("tr[data-action=login_failed]").first
        assert PAYLOAD in failed.inner_text()  # shown as the text that was typed
        assert table.locator("img, script").count() == 0
        rename = table.locator("tr[data-action=update]").first
        assert screen["name"] in rename.locator("del").inner_text()
        assert screen["name"] + "（东侧）" in rename.locator("ins").inner_text()
        save_doc_shot(page, "admin-audit", full_page=False)

        page.fill("#actor", name)
        page.select_option("#object_type", "screen")
        page.click("button:has-text('查询')")
        page.wait_for_url("**/admin/audit?*object_type=screen*")
        actions = table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.action)")
        assert actions == ["update"]

        with page.expect_download() as download:
            page.click("[data-testid=audit-export]")
        path = tmp_path / "audit.csv"
        download.value.save_as(path)
        assert download.value.suggested_filename.startswith("audit-log-")
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and "屏幕" in data.decode("utf-8-sig")

        page.goto(f"{server.url}/admin/audit?date_from=2026-02-30")
        assert "无法识别的日期" in page.inner_text("#date_from-error")
        assert page.locator("[data-testid=audit-rows]").count() == 0
    assert dialogs == []
