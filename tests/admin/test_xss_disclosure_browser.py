"""A disclosure report whose agency text is markup, in real Chromium against `kiosk serve`:
uploaded through the panel's file input, the check page, the list, the report page, the
playlist form's reference list and the screen deck all show the agency as text.

The agency is read from the report's title line, where ``>``, ``/``, ``|`` and ``_`` separate
breadcrumbs, so the payload is an unclosed tag with an ``alert`` (a dialog would be caught):
unescaped, it would become an element swallowing the page up to the next ``>``.
"""

from __future__ import annotations

import textwrap
import time

import pytest

from ..browser import launch_chromium
from ..conftest import ROOT
from ..live import LiveServer
from .browser_util import assert_inert, panel_server, sign_in, watch_dialogs

pytestmark = pytest.mark.browser
SEED = ROOT / "tests" / "data" / "laocheng-2023-annual-report.txt"
AGENCY = "<img src=x onerror=alert(1) 老城区数据局"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = panel_server(tmp_path_factory, "xss-disclosure", {"editor1": "editor", "reviewer1": "reviewer"})
    yield srv
    srv.stop()


def test_a_markup_agency_stays_text_on_the_panel_and_the_screen(server: LiveServer, tmp_path):
    report = tmp_path / "年报.txt"
    report.write_text(SEED.read_text("utf-8").replace("老城区政务服务和大数据管理局", AGENCY, 1), "utf-8")
    dialogs: list[str] = []
    with launch_chromium() as browser:
        page = watch_dialogs(browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN"), dialogs)
        sign_in(page, server.url, "editor1")
        page.goto(f"{server.url}/admin/disclosure")
        page.set_input_files("#file", str(report))
        page.click("[data-testid=disclosure-upload] button[type=submit]")
        page.wait_for_selector("[data-testid=confirm-form]")
        assert_inert(page, f"核对：{AGENCY} 2023 年度报告", scope="main")
        page.click("[data-testid=confirm-form] button.btn-primary")
        page.wait_for_url("**/admin/disclosure/*")  # the stored report's page (flash names it)
        assert_inert(page, f"已提交 {AGENCY} 2023 年度报告", scope="main")
        report_url = page.url
        reviewer = watch_dialogs(browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN"), dialogs)
        sign_in(reviewer, server.url, "reviewer1")
        reviewer.goto(report_url)
        assert_inert(reviewer, scope="main")  # the waiting banner names the file as text
        reviewer.click("[data-testid=approve]")
        reviewer.wait_for_selector("text=已通过")
        assert_inert(reviewer, f"已通过 {AGENCY} 2023 年度报告", scope="main")
        page.goto(f"{server.url}/admin/disclosure")
        row = page.locator("[data-testid=reports] tr", has_text=AGENCY)
        assert_inert(page, AGENCY, scope="[data-testid=reports]")
        code = row.locator("code").inner_text()
        page.goto(f"{server.url}/admin/content/playlists/new")  # the reference list names it
        option = page.locator(f"#ref-options option[value='disclosure:{code}']")
        assert AGENCY in option.evaluate("o => o.textContent")  # a datalist is not rendered: read it
        assert_inert(page, scope="main")

        folder = tmp_path / "screens"
        folder.mkdir()
        (folder / "screens.yaml").write_text(textwrap.dedent(f"""
            playlists:
              - name: xss-disclosure
                items:
                  - {{ref: "disclosure:{code}", duration: 30}}
            groups:
              - {{name: xss-disclosure, default_playlist: xss-disclosure}}
            screens:
              - {{name: 年报转义测试屏, group: xss-disclosure, kind: led_wall}}
            schedule:
              - {{name: xss-disclosure-all-day, playlist: xss-disclosure, groups: [xss-disclosure],
                  start: "00:00", end: "00:00", priority: 200, takeover: true}}
            """), encoding="utf-8")
        server.kiosk("import", str(folder))
        token = next(s["token"] for s in server.screens() if s["name"] == "年报转义测试屏")
        screen = watch_dialogs(browser.new_page(viewport={"width": 1920, "height": 1080}), dialogs)
        deadline = time.monotonic() + 40
        while True:  # the import ran in another process: content-watch republishes within ~1 s
            screen.goto(f"{server.url}/screen/{token}")
            try:
                screen.wait_for_selector(f".slide-layer.current[data-item='disclosure:{code}']", timeout=5000)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
        assert_inert(screen, AGENCY, scope=".slide-layer.current")
        assert_inert(screen)
        assert dialogs == [], dialogs
