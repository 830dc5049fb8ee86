"""Live updates show times in the hall's zone, like the server-rendered page.

The staff PC (here: a browser set to New York) may not be on the hall's clock; a "last seen"
cell must not jump eight or thirteen hours when the socket updates it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import socketio

from ..browser import launch_chromium
from .browser_util import panel_server, sign_in

pytestmark = pytest.mark.browser


def test_live_last_seen_is_in_the_hall_time_zone(tmp_path_factory):
    srv = panel_server(tmp_path_factory, "live-times", {"clock": "viewer"})
    screen = next(s for s in srv.screens() if s["kind"] == "led_wall")
    sio = socketio.Client(reconnection=False)
    try:
        with launch_chromium() as browser:
            context = browser.new_context(timezone_id="America/New_York", locale="zh-CN")
            page = context.new_page()
            sign_in(page, srv.url, "clock")
            for path in ("/admin/screens", "/admin/"):
                page.goto(srv.url + path)
                page.wait_for_selector("body[data-live=true]", timeout=10_000)
                cell = page.locator(f'tr[data-screen-id="{screen["id"]}"] [data-field="last_seen_at"]')
                before = cell.inner_text()
                if not sio.connected:
                    sio.connect(srv.url, namespaces=["/display"], auth={"token": screen["token"]},
                                transports=["websocket"], wait_timeout=20)
                hall_now = datetime.now(ZoneInfo("Asia/Shanghai"))
                sio.emit("heartbeat", {"version": "v-live-times", "showing": None}, namespace="/display")
                page.wait_for_function(
                    "([sel, old]) => { const c = document.querySelector(sel); return c && c.textContent.trim() !== old.trim(); }",
                    arg=[f'tr[data-screen-id="{screen["id"]}"] [data-field="last_seen_at"]', before],
                    timeout=10_000,
                )
                shown = cell.inner_text().strip()
                accepted = {(hall_now + timedelta(seconds=d)).strftime("%m-%d %H:%M:%S") for d in range(-2, 4)}
                assert any(t in shown for t in accepted), f"{path}: {shown!r}, hall time is {hall_now:%m-%d %H:%M:%S}"
    finally:
        if sio.connected:
            sio.disconnect()
        srv.stop()
