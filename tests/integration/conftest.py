"""Integration tests against the real PostgreSQL and Redis of the machine.

They run when ``KIOSK_TEST_DATABASE_URL`` / ``KIOSK_TEST_REDIS_URL`` are set (``.ci/run``
sets both). Once set, an unreachable service is a failure, never a skip.
"""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("KIOSK_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("KIOSK_TEST_REDIS_URL")


@pytest.fixture
def pg_url():
    """A database URL on a fresh PostgreSQL schema, dropped afterwards."""
    if not PG_URL:
        pytest.skip("KIOSK_TEST_DATABASE_URL not set (set by .ci/run)")
    import sqlalchemy as sa

    schema = f"kiosk_it_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:  # fails loudly when PostgreSQL is not there
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        pytest.skip("KIOSK_TEST_REDIS_URL not set (set by .ci/run)")
    import redis

    redis.Redis.from_url(REDIS_URL).ping()  # fails loudly when Redis is not there
    return REDIS_URL
