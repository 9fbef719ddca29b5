"""The daemon processes and delivers as soon as an entry is recorded, not when its timer next fires.

Processing runs with a 30 s timer here: an alert that arrives within a few seconds was woken by the
append, in the daemon's own process (its poll) or, on PostgreSQL, from another process (NOTIFY).
"""

from __future__ import annotations

from pathlib import Path

from service.demo.feeds import FeedServer
from service.pipeline.checked_rules import load_checked_rules
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.store.bootstrap import open_store
from tests.pipeline.harness import STEPS, Timeline, start_daemon, stop, write_rules
from tests.support.receivers import JsonReceiver, poll

TIMER = ("--process-every", "30s")
STARTUP = 120.0  # a daemon's start on a shared machine: migrations, rules, first polls
WOKEN = 10.0  # well inside the 30 s timer


def _wait_for_first_polls(db: str) -> None:
    store = open_store(db)
    try:
        poll(lambda: [sum(1 for _ in store.read_all(types=["SourcePolled"]))], lambda n: n >= 2, STARTUP,
             "the daemon's first poll of both feeds")
    finally:
        store.close()


def _titles(hook: JsonReceiver) -> list[str]:
    return [r.json()["title"] for r in hook.requests() if r.status == 200]


def test_an_entry_the_daemon_records_is_alerted_long_before_its_processing_timer(
    db_url: str, tmp_path: Path
) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))  # feeds polled every second
        timeline = Timeline(feeds)
        daemon = start_daemon(db_url, rules, tmp_path / "daemon.log", *TIMER)
        try:
            _wait_for_first_polls(db_url)
            timeline.add(STEPS[0])
            titles = poll(lambda: [_titles(hook)], lambda got: len(got) >= 1, WOKEN, "the alert")
            assert "agreed" in titles[0]
        finally:
            assert stop(daemon) == 0


def test_an_entry_another_process_records_wakes_the_daemon_through_postgresql(pg_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        rules.write_text(rules.read_text().replace("every: 1s", "every: 1h"))  # the daemon polls once only
        timeline = Timeline(feeds)
        daemon = start_daemon(pg_url, rules, tmp_path / "daemon.log", *TIMER)
        store = open_pipeline_store(pg_url)
        try:
            _wait_for_first_polls(pg_url)
            timeline.add(STEPS[0])
            # This process records the entry; the daemon, idle on its 30 s timer, hears of it by NOTIFY.
            pipeline = Pipeline(store, load_checked_rules([rules], env={}), env={})
            try:
                assert pipeline.poll("wire", force=True).new
            finally:
                pipeline.close()
            titles = poll(lambda: [_titles(hook)], lambda got: len(got) >= 1, WOKEN, "the alert")
            assert "agreed" in titles[0]
        finally:
            store.close()
            assert stop(daemon) == 0
