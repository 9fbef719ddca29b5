"""``vigil sources`` shows a private feed the way the API and the dashboard do: without its password."""

from __future__ import annotations

from pathlib import Path

from service.demo.feeds import FeedServer
from tests.cli.test_operations import vigil
from tests.pipeline.harness import STEPS, Timeline, run_once, write_rules
from tests.support.receivers import JsonReceiver, free_port

FEED_PASSWORD = "feedpass-9f3k2"


def _sources_with(sqlite_url: str, tmp_path: Path, name: str, url: str) -> str:
    """`vigil sources` after one run over the test rules plus source ``name`` at ``url``."""
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        rules.write_text(rules.read_text().replace("items:\n", f'  {name}: {{url: "{url}", every: 5m}}\nitems:\n', 1))
        Timeline(feeds).add(STEPS[0])
        assert run_once(sqlite_url, rules).returncode == 0
        shown = vigil(sqlite_url, "sources", "--rules", str(rules))
    assert shown.returncode == 0, shown.stderr
    return shown.stdout + shown.stderr


def test_sources_never_print_a_feed_password(sqlite_url: str, tmp_path: Path) -> None:
    # A private feed on a closed port: its URL carries a password, and so does the poll error naming it.
    closed = f"http://reader:{FEED_PASSWORD}@127.0.0.1:{free_port()}/feed.xml"
    shown = _sources_with(sqlite_url, tmp_path, "gone", closed)
    gone = shown.split("gone  ")[1]
    assert gone.startswith("http://reader:***@127.0.0.1:") and "last error:" in gone
    assert FEED_PASSWORD not in shown


def test_feed_query_values_are_masked_unless_their_key_is_known_to_be_harmless(sqlite_url: str, tmp_path: Path) -> None:
    # `?s=` is how one outlet hands subscribers a private feed: no secret-looking key, no token shape.
    private = f"http://127.0.0.1:{free_port()}/feed.xml?format=rss&lang=uk&s=privcode&u=reader7"
    shown = _sources_with(sqlite_url, tmp_path, "club", private)
    assert "/feed.xml?format=rss&lang=uk&s=***&u=***" in shown
    assert "privcode" not in shown and "reader7" not in shown
