"""``vigil sources`` shows a private feed the way the API and the dashboard do: without its password."""

from __future__ import annotations

from pathlib import Path

from service.demo.feeds import FeedServer
from tests.cli.test_operations import vigil
from tests.pipeline.harness import STEPS, Timeline, run_once, write_rules
from tests.support.receivers import JsonReceiver, free_port

FEED_PASSWORD = "feedpass-9f3k2"


def test_sources_never_print_a_feed_password(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        # A private feed on a closed port: its URL carries a password, and so does the poll error naming it.
        closed = f"http://reader:{FEED_PASSWORD}@127.0.0.1:{free_port()}/feed.xml"
        rules.write_text(rules.read_text().replace("items:\n", f'  gone: {{url: "{closed}", every: 5m}}\nitems:\n', 1))
        Timeline(feeds).add(STEPS[0])
        assert run_once(sqlite_url, rules).returncode == 0
        shown = vigil(sqlite_url, "sources", "--rules", str(rules))
    assert shown.returncode == 0, shown.stderr
    gone = shown.stdout.split("gone  ")[1]
    assert gone.startswith("http://reader:***@127.0.0.1:") and "last error:" in gone
    assert FEED_PASSWORD not in shown.stdout + shown.stderr
