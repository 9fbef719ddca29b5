"""What every command shares: the database option, opening the store, and one-line fatal errors."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from service.store.bootstrap import open_store
from service.store.database import DEFAULT_DB
from service.store.errors import DatabaseMissing, StoreError
from service.store.recorder import EventStore

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes: 1 = the user's input is wrong (rules, a failed check); 2 = the environment is (database).
EXIT_INPUT = 1
EXIT_ENVIRONMENT = 2


@dataclass
class CliState:
    """Options given to the top-level ``vigil`` group."""

    db_url: str


def fail(message: str, code: int = EXIT_ENVIRONMENT) -> NoReturn:
    """Print one line to stderr and exit with ``code``."""
    click.echo(f"vigil: {message}", err=True)
    sys.exit(code)


def db_url(ctx: click.Context) -> str:
    """The database URL for this invocation: --db, else VIGIL_DB, else ./vigil.db."""
    state = ctx.find_object(CliState)
    return state.db_url if state else os.environ.get("VIGIL_DB", DEFAULT_DB)


#: What a command that may not create a store says of a SQLite file that does not exist: opening one
#: creates it, and a mistyped ``--db run/vigl.db`` would silently read a new, empty store.
_MISSING_HINT = "check --db or VIGIL_DB (only run, db upgrade, import and demo create one)"


@contextmanager
def opened_store(
    ctx: click.Context, *, creates: bool = False, pipeline: bool = False, migrate: bool = True
) -> Iterator[EventStore]:
    """The one way a command opens the store: closed when the command is done, and a database problem
    is one line on stderr and exit 2.

    ``creates``: the command may create a store that does not exist yet; other commands refuse one.
    ``pipeline``: with every projection of the pipeline (commands that write events or read projections).
    ``migrate``: apply pending migrations first (all but ``db upgrade``, which reports them itself).
    """
    try:
        if pipeline:
            from service.pipeline.wiring import open_pipeline_store

            store = open_pipeline_store(db_url(ctx), migrate=migrate, create=creates)
        else:
            store = open_store(db_url(ctx), migrate=migrate, create=creates)
    except DatabaseMissing as error:
        fail(f"{error}: {_MISSING_HINT}")
    except StoreError as error:
        fail(str(error))
    try:
        yield store
    finally:
        store.close()


def store_errors_are_fatal(func: F) -> F:
    """Turn a StoreError escaping a command into one line on stderr and exit 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StoreError as error:
            fail(str(error))

    return wrapper  # type: ignore[return-value]


DEFAULT_RULES = ("rules",)


def rules_paths(paths: tuple[str, ...]) -> list[str]:
    """The rule paths given, else VIGIL_RULES (colon-separated), else ``rules/``."""
    if paths:
        return list(paths)
    from_env = os.environ.get("VIGIL_RULES")
    return from_env.split(os.pathsep) if from_env else list(DEFAULT_RULES)


def rules_are_absent() -> bool:
    """No rules were named (no --rules, no VIGIL_RULES) and there is no ``rules/`` folder here."""
    return not os.environ.get("VIGIL_RULES") and not Path(DEFAULT_RULES[0]).exists()


def load_rules_or_exit(paths: list[str]) -> Any:
    """Load and check rule files; on errors print each ``file:line:col: message`` and exit 1."""
    from service.pipeline.checked_rules import load_checked_rules
    from service.rules.errors import RuleErrors

    try:
        return load_checked_rules(paths, env=os.environ)
    except RuleErrors as errors:
        if paths == list(DEFAULT_RULES) and not Path(DEFAULT_RULES[0]).exists():
            # Nothing named the rules: say where they are looked for and how to name them.
            fail(f"no {DEFAULT_RULES[0]}/ folder here: give --rules FILE_OR_DIR or set VIGIL_RULES", EXIT_INPUT)
        for error in errors.errors:
            click.echo(str(error), err=True)
        sys.exit(EXIT_INPUT)


def parse_moment(value: str, option: str) -> datetime:
    """A date or time given on the command line, as aware UTC; one line and exit 1 if unreadable.

    Without an offset it is UTC, in words as in ISO form, whatever the machine's time zone: every time
    Vigil prints is UTC, and "18:00" must not mean two moments depending on how it was written."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        import dateparser  # only for a time in words: its import was ~90 ms of every command's start-up

        parsed = dateparser.parse(
            value, settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC"}
        )
        if parsed is None:
            fail(f"{option}: cannot read {value!r} as a date or time", EXIT_INPUT)
        moment = parsed
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

