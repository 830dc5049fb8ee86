"""Settings from ``KIOSK_*`` variables: a bad value stops a ``kiosk`` command with one line
that names the variable, not a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.config import SettingsError, load_settings


@pytest.mark.parametrize(("name", "value", "message"), [
    ("KIOSK_PING_TIMEOUT", "abc", "KIOSK_PING_TIMEOUT='abc': 应为整数"),
    ("KIOSK_HEARTBEAT_SECONDS", "0", "KIOSK_HEARTBEAT_SECONDS='0': 应大于 0"),
    ("KIOSK_PRESENCE_FLUSH_SECONDS", "x", "KIOSK_PRESENCE_FLUSH_SECONDS='x': 应为数字"),
    ("KIOSK_AUDIT_RETENTION_DAYS", "90", "至少保留 180 天"),
    # the display protocol promises a poll every <= 60 s and a heartbeat every <= 15 s
    ("KIOSK_POLL_SECONDS", "61", "KIOSK_POLL_SECONDS='61': 不能大于 60"),
    ("KIOSK_HEARTBEAT_SECONDS", "16", "KIOSK_HEARTBEAT_SECONDS='16': 不能大于 15"),
])
def test_a_bad_setting_is_one_clear_line(monkeypatch, tmp_path, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=message):
        load_settings({"DATA_DIR": str(tmp_path)})
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "screens", "list"])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_numbers_default_and_parse(monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_PRESENCE_FLUSH_SECONDS", "0.5")
    monkeypatch.delenv("KIOSK_PING_TIMEOUT", raising=False)
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    assert settings["PRESENCE_FLUSH_SECONDS"] == 0.5
    assert settings["SOCKETIO_PING_TIMEOUT"] == 20


def test_poll_and_heartbeat_accept_their_caps(monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_POLL_SECONDS", "60")
    monkeypatch.setenv("KIOSK_HEARTBEAT_SECONDS", "15")
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    assert (settings["POLL_SECONDS"], settings["HEARTBEAT_SECONDS"]) == (60, 15)
