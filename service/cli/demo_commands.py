"""``vigil demo``: the offline demo scenario through the real pipeline."""

from __future__ import annotations

from pathlib import Path

import click
from click.core import ParameterSource

from service.cli.context import EXIT_INPUT, fail
from service.demo.runner import run_demo
from service.rules.errors import RuleErrors

#: The example rules, found from the package rather than the working directory (an editable install or
#: a checkout, as `make demo` makes).
EXAMPLE_RULES = Path(__file__).resolve().parents[2] / "rules" / "istanbul-talks.yaml"


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
    default=None,
    help="The rule file whose items and alerts the demo uses. [default: the repository's "
    "rules/istanbul-talks.yaml, wherever the demo is run from]",
)
@click.pass_context
def demo_command(ctx: click.Context, db_path: str, rules: str | None) -> None:
    """Serve a bundled news scenario on loopback, run the pipeline over it, print the alerts and the state."""
    # The demo deletes and recreates its file: it never takes the database the other commands use
    # (VIGIL_DB is ignored), and a `vigil --db X demo` is refused rather than silently ignored.
    if ctx.parent is not None and ctx.parent.get_parameter_source("db") is ParameterSource.COMMANDLINE:
        raise click.UsageError("the demo recreates its own SQLite file: use `vigil demo --db FILE`, not `vigil --db`")
    try:
        run_demo(Path(db_path), [rules or str(EXAMPLE_RULES)], click.echo)
    except RuleErrors as errors:
        for error in errors.errors:
            click.echo(str(error), err=True)
        fail("the demo's rules do not load", EXIT_INPUT)


commands = [demo_command]
