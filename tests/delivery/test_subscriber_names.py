"""A subscriber's name cannot forge lines (no control characters or line breaks), and a subscriber has at
most 20 URLs: from the CLI, the HTTP API and rule files alike, the refusal is one line and records nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.delivery.subscriptions import SubscriptionError, add_subscriber, list_subscribers
from service.rules.errors import RuleErrors
from service.rules.loader import load_rules
from service.store.recorder import EventStore
from tests.cli.test_operations import vigil

URL = "json://127.0.0.1:9/hook"
FORGED = ["ops\nevil (rules)", "ops\r", "ops\x1b[2J", "ops\u202eevil", "ops\u2028evil"]


@pytest.mark.parametrize("name", FORGED)
def test_a_name_with_a_control_character_is_refused_and_nothing_is_recorded(store: EventStore, name: str) -> None:
    before = store.last_position()
    with pytest.raises(SubscriptionError, match="control character or line break"):
        add_subscriber(store, name, [URL], items=[], tags=[], min_severity="info")
    assert store.last_position() == before
    assert list_subscribers(store) == [] and store.read_stream("config") == []


def test_more_than_twenty_urls_are_refused(store: EventStore) -> None:
    urls = [f"json://127.0.0.1:9/hook{i}" for i in range(21)]
    with pytest.raises(SubscriptionError, match="at most 20 URLs"):
        add_subscriber(store, "ops", urls, items=[], tags=[], min_severity="info")
    add_subscriber(store, "ops", urls[:20], items=[], tags=[], min_severity="info")
    [added] = store.read_stream("config")
    assert len(added.data["urls"]) == 20


def test_the_cli_refuses_a_forged_name_in_one_line(sqlite_url: str) -> None:
    assert vigil(sqlite_url, "db", "upgrade").returncode == 0
    added = vigil(sqlite_url, "subscribe", "add", "ops\nevil (rules)", URL)
    assert added.returncode != 0
    assert len(added.stderr.strip().splitlines()) == 1 and "control character" in added.stderr
    listed = vigil(sqlite_url, "subscribe", "list")
    assert listed.stdout.strip() == "no subscribers"


def test_a_rule_file_with_a_forged_name_or_too_many_urls_fails_its_check(tmp_path: Path) -> None:
    urls = ", ".join(f'"json://127.0.0.1:9/h{i}"' for i in range(21))
    (tmp_path / "rules.yaml").write_text(
        f'subscribers:\n  "ops\\nevil":\n    urls: ["{URL}"]\n  many:\n    urls: [{urls}]\n'
    )
    with pytest.raises(RuleErrors) as raised:
        load_rules([tmp_path / "rules.yaml"], env={})
    shown = str(raised.value)
    assert "rules.yaml:2" in shown and "control character" in shown
    assert "rules.yaml:4" in shown and "at most 20 URLs (21 given)" in shown
