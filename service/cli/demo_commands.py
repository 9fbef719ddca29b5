"""``vigil demo``: the offline demo scenario through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import click

from service.cli.context import EXIT_INPUT, fail
from service.demo.runner import run_demo
from service.rules.errors import RuleErrors


@click.command("demo")
@click.option(
    "--db",
    "db_path",
    default="demo.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite file to (re)create for the demo.",
)
@click.option(
    "--rules",
    "rules",
    default="rules/istanbul-talks.yaml",
    show_default=True,
    help="The rule file whose items and alerts the demo uses.",
)
def demo_command(db_path: str, rules: str) -> None:
    """Serve a bundled news scenario on loopback, run the pipeline over it, print the alerts and the state."""
    try:
        run_demo(Path(db_path), [rules], click.echo)
    except RuleErrors as errors:
        for error in errors.errors:
            click.echo(str(error), err=True)
        fail("the demo's rules do not load", EXIT_INPUT)


commands = [demo_command]
