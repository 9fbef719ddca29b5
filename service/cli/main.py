"""The ``vigil`` entry point: the top-level group and the registry of every command module."""

from __future__ import annotations

import os

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
    store_commands,
)
from service.cli.context import CliState
from service.store.database import DEFAULT_DB


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
               delivery_commands, demo_commands, history_commands]
    for module in modules:
        for command in module.commands:
            cli.add_command(command)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="vigil")
