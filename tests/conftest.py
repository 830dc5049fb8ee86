"""Shared fixtures (flaskr style): ``app`` on a fresh SQLite file, ``client``, ``runner``,
and ``demo_app`` with the demo content (imported once per run, copied per test)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk import create_app
from kiosk.extensions import db

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    from . import reliability

    reliability.tag(item, outcome.get_result())


def pytest_runtest_logreport(report):
    from . import reliability

    reliability.record(report)


def pytest_sessionfinish(session, exitstatus):
    import os

    target = os.environ.get("KIOSK_RELIABILITY_REPORT")
    if target and not hasattr(session.config, "workerinput"):  # the controller writes it
        from . import reliability

        reliability.write(target)


def make_app(folder: Path, db_file: Path, *, create: bool = True):
    app = create_app(
        {
            "DATA_DIR": str(folder),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "SECRET_KEY": "test",
            "TESTING": True,
            "SCHEDULER_ENABLED": False,
            "SOCKETIO_ASYNC_MODE": "threading",
            "MESSAGE_QUEUE_URL": None,
            "PUBLIC_BASE_URL": "http://hall.example",
        }
    )
    if create:
        with app.app_context():
            db.create_all()
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path, tmp_path / "test.db")
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo content imported once; each test gets its own copy of the file."""
    from kiosk.services.importer import import_path

    folder = tmp_path_factory.mktemp("demo-db")
    app = make_app(folder, folder / "demo.db")
    with app.app_context():
        import_path(CONTENT, actor="test")
    dispose(app)
    return folder / "demo.db"


@pytest.fixture
def demo_app(tmp_path, demo_db):
    """An app whose database holds the demo content of ``content/`` (and whose data dir holds
    the 空表 / 样表 files that import stored)."""
    shutil.copy(demo_db, tmp_path / "test.db")
    if (demo_db.parent / "uploads").is_dir():
        shutil.copytree(demo_db.parent / "uploads", tmp_path / "uploads")
    app = make_app(tmp_path, tmp_path / "test.db", create=False)
    yield app
    dispose(app)


@pytest.fixture
def mini(tmp_path):
    """A small content folder the import tests edit one line at a time (import_fixtures.py)."""
    from .import_fixtures import make_mini

    return make_mini(tmp_path)
