"""A command's start is quiet: Alembic's chatter never shows, and a migration that runs is one line."""

from __future__ import annotations

from pathlib import Path

from service.demo.feeds import FeedServer
from tests.pipeline.harness import run_once, write_rules
from tests.support.receivers import JsonReceiver


def test_a_migration_is_one_line_and_a_start_at_head_says_nothing_of_the_schema(
    sqlite_url: str, tmp_path: Path
) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        first = run_once(sqlite_url, rules)
        second = run_once(sqlite_url, rules)
    assert "alembic" not in first.stderr + second.stderr
    upgraded = [line for line in first.stderr.splitlines() if "schema upgraded" in line]
    assert len(upgraded) == 1 and "schema upgraded from empty to " in upgraded[0]
    assert "schema" not in second.stderr
