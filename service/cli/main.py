"""The ``vigil`` entry point: the top-level group and the registry of every command module."""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from service import __version__
from service.cli.context import CliState, db_url, fail
from service.store.database import DEFAULT_DB, first_line, normalise_url
from service.store.driver_errors import is_driver_error
from service.store.errors import StoreError

#: Every command's name, by the module under ``service.cli`` that defines it (in its ``commands`` list). A
#: command's module is imported only when that command runs: importing all of them (the language stack,
#: apprise, the scheduler, the web server) was most of the 2.2 s every `vigil` command took to start.
#: tests/architecture/test_cli_registry.py keeps this table and the modules in step.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "store_commands": ("db", "events", "verify", "head", "digest"),
    "rules_commands": ("check", "schema"),
    "authoring_commands": ("explain", "test"),
    "daemon_commands": ("run",),
    "query_commands": ("state", "timeline", "sources", "alerts"),
    "delivery_commands": ("subscribe", "deliver"),
    "silence_commands": ("silence", "ack"),
    "demo_commands": ("demo",),
    "history_commands": ("replay", "export", "import", "why", "backtest"),
}


class VigilGroup(click.Group):
    """The top-level group: each command loads on first use, and a database failing in the middle of a
    command is one line and exit 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command's name, without importing any of them."""
        return sorted(name for names in COMMAND_MODULES.values() for name in names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command ``cmd_name``, its module imported now; None for no such command."""
        module = next((module for module, names in COMMAND_MODULES.items() if cmd_name in names), None)
        if module is None:
            return None
        commands: list[click.Command] = importlib.import_module(f"service.cli.{module}").commands
        return next(command for command in commands if command.name == cmd_name)

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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="vigil")
