"""Shared fixtures (flaskr style): ``app`` on a fresh SQLite file, ``client``, ``runner``."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk import create_app
from kiosk.extensions import db

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.fixture
def app(tmp_path):
    app = create_app(
        {
            "DATA_DIR": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
            "SECRET_KEY": "test",
            "TESTING": True,
            "SCHEDULER_ENABLED": False,
            "SOCKETIO_ASYNC_MODE": "threading",
            "MESSAGE_QUEUE_URL": None,
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo_app(app):
    """The app with the demo content of ``content/`` imported."""
    from kiosk.services.importer import import_path

    with app.app_context():
        import_path(CONTENT, actor="test")
    return app
