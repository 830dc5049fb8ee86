"""Fixtures of the disclosure tests: the Laocheng seed file and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

SEED = Path("/work/shared/data/laocheng-2023-annual-report.txt")


@pytest.fixture(scope="session")
def seed_bytes() -> bytes:
    if not SEED.exists():
        pytest.skip(f"seed report {SEED} not available")
    return SEED.read_bytes()


@pytest.fixture(scope="session")
def seed_text(seed_bytes: bytes) -> str:
    return seed_bytes.decode("utf-8")


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()
