"""The ``vigil`` entry point: the top-level group and the registry of every command module."""

from __future__ import annotations

import os
from typing import Any

import click

from service import __version__
from service.cli import (
    authoring_commands,
    daemon_commands,
    delivery_commands,
    demo_commands,
    history_commands,
    query_commands,
    rules_commands,
    silence_commands,
    store_commands,
)
from service.cli.context import CliState, db_url, fail
from service.store.database import DEFAULT_DB, first_line, normalise_url
from service.store.driver_errors import is_driver_error
from service.store.errors import StoreError


class VigilGroup(click.Group):
    """The top-level group: a database failing in the middle of a command is one line and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a driver error (disk full, read-only file, server gone) becomes one line."""
        try:
            return super().invoke(ctx)
        except Exception as error:
            if not is_driver_error(error):
                raise
            # Found by the fault tests: these used to end in a traceback. The transaction that failed was
            # rolled back, so the log holds only whole transactions (`vigil verify` passes).
            reason = first_line(error)
            fail(f"database error on {_shown(db_url(ctx))}: {reason} (the failed transaction was rolled back)")


def _shown(url: str) -> str:
    try:
        return normalise_url(url).render_as_string(hide_password=True)
    except StoreError:
        return "the database"


@click.group(cls=VigilGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="vigil")
@click.option(
    "--db",
    "db",
    envvar="VIGIL_DB",
    default=DEFAULT_DB,
    show_default=True,
    help="Database URL (sqlite:///path, postgresql://...) or a SQLite file path. Env: VIGIL_DB.",
)
@click.pass_context
def cli(ctx: click.Context, db: str) -> None:
    """Vigil: alerts when a tracked news situation changes state, with the sentence that proves it."""
    ctx.obj = CliState(db_url=db or os.environ.get("VIGIL_DB", DEFAULT_DB))


def _register() -> None:
    modules = [store_commands, rules_commands, authoring_commands, daemon_commands, query_commands,
               delivery_commands, silence_commands, demo_commands, history_commands]
    for module in modules:
        for command in module.commands:
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="vigil")
