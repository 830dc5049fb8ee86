"""Helpers shared by the ``kiosk`` commands."""

from __future__ import annotations

import secrets
import string
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import OperationalError

from .. import create_app
from ..config import SettingsError
from ..extensions import db
from ..models import Guide, Screen, User
from ..services import storage_faults


def app_from(ctx: click.Context, data_dir: str | None = None, **overrides: Any) -> Flask:
    folder = data_dir or (ctx.find_root().obj or {}).get("data_dir")
    config: dict[str, Any] = dict(overrides)
    if folder:
        config["DATA_DIR"] = folder
    try:
        app = create_app(config)
    except SettingsError as exc:
        fail(str(exc))
    with app.app_context():
        try:
            ensure_schema(app)
        except (OperationalError, OSError) as err:  # locked past the wait, disk full, gone
            fail_for_storage(err, "无法打开数据库 (cannot open the database)")
    return app


def ensure_schema(app: Flask) -> None:
    """Bring the database to the current schema with Alembic (Flask-Migrate).

    An empty database is upgraded from nothing; a database made by ``create_all`` before
    migrations existed is stamped instead of being recreated.
    """
    from flask_migrate import stamp, upgrade

    migrations = str(Path(__file__).resolve().parent.parent / "migrations")  # kiosk/migrations
    tables = set(inspect(db.engine).get_table_names())
    if "guide" in tables and "alembic_version" not in tables:
        stamp(directory=migrations)
    upgrade(directory=migrations)


def is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Guide)) and not db.session.scalar(
        select(func.count()).select_from(Screen)
    )


def random_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in pw) and any(c.isalpha() for c in pw):
            return pw


def credentials_file(app: Flask) -> Path:
    return Path(app.config["DATA_DIR"]) / "initial-admin.txt"


def ensure_demo_admin(app: Flask) -> tuple[str, str] | None:
    """Create the demo's ``admin`` account once; its password is kept in the data dir (0600)
    so that ``make run`` can show it again. Returns (name, password) when known."""
    from ..services.users import add_user

    path = credentials_file(app)
    if db.session.scalar(select(User).where(User.name == "admin")) is None:
        password = random_password()
        add_user(db.session, "admin", "admin", password, actor="demo")
        db.session.commit()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"admin\n{password}\n", encoding="utf-8")
        path.chmod(0o600)
        return "admin", password
    if path.exists():
        name, password = path.read_text(encoding="utf-8").split()[:2]
        return name, password
    return None


def fail(message: str, code: int = 2) -> None:
    click.echo(f"错误 (error): {message}", err=True)
    raise SystemExit(code)


def fail_for_storage(err: BaseException, what: str) -> None:
    """Exit 3 with one line for a locked database or a full disk (what happened, what the
    driver said), instead of a traceback; any other error goes up unchanged."""
    fault = storage_faults.classify(err)
    if fault is None:
        raise err
    fail(f"{what}: {storage_faults.MESSAGES[fault]} [{storage_faults.reason(err)}]", code=3)
