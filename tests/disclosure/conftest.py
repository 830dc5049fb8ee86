"""Fixtures of the disclosure tests: the Laocheng seed file and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

# The bureau's published 2023 report, as copied from its web page (a copy of
# shared/data/laocheng-2023-annual-report.txt kept with the tests).
SEED = Path(__file__).resolve().parent.parent / "data" / "laocheng-2023-annual-report.txt"


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    return SEED.read_bytes()


@pytest.fixture(scope="session")
def seed_text(seed_bytes: bytes) -> str:
    return seed_bytes.decode("utf-8")


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


@pytest.fixture
def data_dir(tmp_path):
    """A data dir whose database has the current models' tables (create_all), so the CLI's
    own migration step only stamps it (``kiosk disclosure import`` tests)."""
    from tests.conftest import dispose, make_app

    folder = tmp_path / "data"
    folder.mkdir()
    dispose(make_app(folder, folder / "kiosk.db"))
    return folder
