"""Scaled out, ``/readyz`` names the Redis queue (issue 10: Redis down in queue mode must be a
clear error in the probe, not a silent stall), and rate limits count in that Redis so every
web process sees the same counts."""

from __future__ import annotations

import pytest

from kiosk import create_app
from kiosk.extensions import db


def app_with_queue(tmp_path, url: str, name: str):
    return create_app({"DATA_DIR": str(tmp_path), "MESSAGE_QUEUE_URL": url,
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / name}"})


@pytest.mark.reliability('Redis down in queue mode', '/readyz with the queue at a closed port, and with the real Redis', '503 naming the queue; 200 when it answers')
def test_readyz_says_when_the_queue_is_down_and_when_it_is_back(tmp_path, redis_url):
    up = app_with_queue(tmp_path, redis_url, "up.db")
    with up.app_context():
        db.create_all()
    r = up.test_client().get("/readyz")
    assert r.status_code == 200 and r.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}
    down = app_with_queue(tmp_path, "redis://127.0.0.1:1/0", "down.db")  # nothing listens there
    with down.app_context():
        db.create_all()
    r = down.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["queue"].startswith("unavailable: ") and r.get_json()["database"] == "ok"
    for app in (up, down):
        with app.app_context():
            db.engine.dispose()


def test_rate_limits_are_counted_in_the_queues_redis(tmp_path, redis_url):
    import redis

    app = app_with_queue(tmp_path, redis_url, "limits.db")
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for _ in range(3):
        client.get("/api/v1/guides?q=sfz")
    keys = redis.Redis.from_url(redis_url).keys("*kiosk-limits*")
    assert keys, "no rate-limit counters in Redis"
    with app.app_context():
        db.engine.dispose()
