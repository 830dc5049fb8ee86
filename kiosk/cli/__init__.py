"""The ``kiosk`` command: serve, scheduler, demo, import, screens, users, tokens, disclosure.

Every command takes the same ``--data-dir`` (or ``KIOSK_DATA_DIR``) so that the server and
the administration commands always talk about the same embedded database.
"""

from __future__ import annotations

import click

from .admin import screens, tokens, users
from .content import demo, import_cmd
from .disclosure import disclosure_group
from .serve import db_group, scheduler_cmd, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", envvar="KIOSK_DATA_DIR", default=None,
              help="Folder for the embedded database (default ./instance).")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None) -> None:
    """Content server for government service halls (政务服务大厅)."""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir


for command in (serve, scheduler_cmd, db_group, demo, import_cmd, screens, users, tokens, disclosure_group):
    main.add_command(command)
