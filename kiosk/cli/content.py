"""``kiosk import PATH`` and ``kiosk demo``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy.exc import OperationalError

from ..extensions import db
from ..services.importer import ImportFailure, import_path
from ..services.publish import get_publisher
from .common import app_from, ensure_demo_admin, fail, fail_for_storage


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.pass_context
def import_cmd(ctx: click.Context, path: Path) -> None:
    """Import content files (a folder or one file) in one transaction."""
    app = app_from(ctx)
    with app.app_context():
        try:
            summary = import_path(path, actor="cli")
        except ImportFailure as err:
            fail(f"导入失败，未写入任何数据 (nothing was imported): {err}")
        except (OperationalError, OSError) as err:  # locked past the wait, disk full
            fail_for_storage(err, "导入失败，未写入任何数据 (nothing was imported)")
        get_publisher(app).changed()
        click.echo(str(summary))


def load_demo(app: Flask) -> tuple[str, str] | None:
    """Import ``content/`` and create the demo admin; returns the admin credentials."""
    summary = import_path(Path(app.config["CONTENT_DIR"]), actor="demo")
    click.echo(str(summary))
    return ensure_demo_admin(app)


@click.command("demo")
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Import the demo content of content/ and create the demo admin account."""
    app = app_from(ctx)
    with app.app_context():
        try:
            creds = load_demo(app)
        except ImportFailure as err:
            fail(str(err))
        get_publisher(app).changed()
        if creds:
            click.echo(f"管理员 (admin): {creds[0]} / {creds[1]}")
        db.session.remove()
