"""``vigil check`` and ``vigil schema``: the rule author's tools. Neither touches the database."""

from __future__ import annotations

import json
import os
import sys

import click

from service.cli.context import EXIT_INPUT, rules_paths
from service.pipeline.checked_rules import load_checked_rules
from service.pipeline.state_overlaps import overlap_notes
from service.rules.errors import RuleErrors
from service.rules.loader import LoadedRules
from service.rules.schema import json_schema


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
def check(paths: tuple[str, ...]) -> None:
    """Validate rule files (default: VIGIL_RULES, else rules/) and print every error as file:line:col: message."""
    where = rules_paths(paths)
    try:
        loaded = load_checked_rules(where, env=os.environ)
    except RuleErrors as failure:
        for error in failure.errors:
            click.echo(str(error), err=True)
        sys.exit(EXIT_INPUT)
    click.echo(summary(loaded))
    for note in broad_subscriber_notes(loaded) + overlap_notes(loaded, list(where)):
        click.echo(note)


@click.command("schema")
def schema() -> None:
    """Print the JSON Schema of rule files (for editor completion and validation)."""
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def summary(loaded: LoadedRules) -> str:
    """One line saying what the rules declare, e.g. ``rules/a.yaml: 4 items, 3 alerts, ... — OK``."""
    rules = loaded.rules
    where = loaded.files[0] if len(loaded.files) == 1 else f"{len(loaded.files)} files"
    counts = ", ".join(
        _count(len(section), noun)
        for section, noun in (
            (rules.items, "item"),
            (rules.alerts, "alert"),
            (rules.sources, "source"),
            (rules.subscribers, "subscriber"),
        )
    )
    return f"{where}: {counts} — OK"


def broad_subscriber_notes(loaded: LoadedRules) -> list[str]:
    """A note (not an error) for each subscriber without filters when the items come from several files.

    Such a subscriber hears every alert without a ``notify:`` list, from every file: that surprised a user
    who declared it in one file for that file's items.
    """
    rules, where = loaded.rules, loaded.source_map
    files = sorted({where.where(("items", name)).file for name in rules.items})
    if len(files) < 2:
        return []
    notes = []
    for name, subscriber in rules.subscribers.items():
        if not subscriber.items and not subscriber.tags:
            at = where.where(("subscribers", name))
            notes.append(
                f"{at.file}:{at.line}: note: subscriber '{name}' has no items: or tags: filter, so it hears alerts "
                f"about the items of all {len(files)} rule files (add items: or tags: to narrow it)"
            )
    return notes


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


commands = [check, schema]
