"""A live server with the test kiosks, shared by the kiosk browser tests that do not stop it."""

from __future__ import annotations

import pytest

from ..browser import launch_chromium
from .browser_kit import kiosk_server


@pytest.fixture(scope="session")
def kiosk_srv(tmp_path_factory):
    srv = kiosk_server(tmp_path_factory, "kiosk-live")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def chromium():
    with launch_chromium() as browser:
        yield browser
