"""``kiosk screens``, ``kiosk users``, ``kiosk tokens``."""

from __future__ import annotations

import json
import sys

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import KINDS, ROLES, Screen
from ..services import screens as screen_service
from ..services import users as user_service
from ..services.publish import get_publisher
from .common import app_from, fail


@click.group("screens")
def screens() -> None:
    """Add and list screens."""


@screens.command("add")
@click.option("--name", required=True, help="Screen name (with --count: a prefix).")
@click.option("--group", required=True, help="Screen group; created when new.")
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--layout", default=None, help="Layout folder name (default: the kind's).")
@click.option("--count", default=1, show_default=True, type=int, help="Add N screens at once.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {id, name, token, …}.")
@click.pass_context
def screens_add(ctx, name, group, kind, layout, count, as_json) -> None:
    """Add screens and print their tokens (the token is the screen's only credential)."""
    app = app_from(ctx)
    with app.app_context():
        try:
            created = screen_service.add_screens(
                db.session, screen_service.NewScreen(name, group, kind, layout),
                count=count, layouts_dir=app.config["LAYOUTS_DIR"], actor="cli",
            )
            db.session.commit()
        except screen_service.ScreenError as err:
            db.session.rollback()
            fail(f"{err.field}: {err.message}")
        base = app.config["PUBLIC_BASE_URL"]
        rows = []
        for s in created:
            row = screen_service.screen_json(s, with_token=True)
            row["url"] = f"{base}/screen/{s.token}"
            rows.append(row)
        get_publisher(app).reschedule()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
    else:
        for row in rows:
            click.echo(f"{row['id']}\t{row['name']}\t{row['token']}\t{row['url']}")


@screens.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def screens_list(ctx, as_json) -> None:
    """List screens with their URLs."""
    app = app_from(ctx)
    with app.app_context():
        rows = [
            screen_service.screen_json(s, with_token=True)
            for s in db.session.scalars(select(Screen).options(selectinload(Screen.group)).order_by(Screen.id))
        ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        click.echo(f"{r['id']}\t{r['name']}\t{r['kind']}\t{r['group']}\t{r['token']}")


@click.group("users")
def users() -> None:
    """Staff accounts."""


@users.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.pass_context
def users_add(ctx, name, role) -> None:
    """Add a user. The password is read from a hidden prompt, or from standard input when
    it is not a terminal (never from the command line, where `ps` and history would see it)."""
    if sys.stdin.isatty():
        password = click.prompt("密码 (password)", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    app = app_from(ctx)
    with app.app_context():
        try:
            user = user_service.add_user(db.session, name, role, password, actor="cli")
            db.session.commit()
        except user_service.UserError as err:
            db.session.rollback()
            fail(f"{err.field}: {err.message}")
        click.echo(f"已创建用户 (created) {user.name} [{user.role}]")


@click.group("tokens")
def tokens() -> None:
    """API bearer tokens."""


@tokens.command("create")
@click.option("--user", "user_name", required=True)
@click.option("--label", default="", help="What the token is for.")
@click.option("--days", type=int, default=None,
              help="Expire after this many days (default KIOSK_API_TOKEN_DAYS; 0 = never).")
@click.pass_context
def tokens_create(ctx, user_name, label, days) -> None:
    """Create an API token; it is printed once, alone on the last line."""
    app = app_from(ctx)
    with app.app_context():
        try:
            _, plain = user_service.create_token(
                db.session, user_name, label=label, actor="cli",
                days=app.config["API_TOKEN_DAYS"] if days is None else days)
            db.session.commit()
        except user_service.UserError as err:
            db.session.rollback()
            fail(f"{err.field}: {err.message}")
    click.echo("API 令牌只显示这一次，请妥善保存 (shown once, keep it safe):")
    click.echo(plain)
