"""Parsing in worker processes: the same entries as parsing in process, a parse bounded in time, a dead
worker replaced, and no worker left behind by a daemon killed with SIGKILL."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from service.demo.feeds import FeedServer as DemoFeeds
from service.pipeline.wiring import open_pipeline_store
from service.rules.models import SourceSpec
from service.sources.parse_pool import ParsePool, auto_workers
from service.sources.poller import poll_source
from service.store.recorder import EventStore
from tests.pipeline.harness import Timeline, start_daemon, stop
from tests.reliability.batches import log_records, publish_batch, write_batch_rules
from tests.sources.test_page_sources import GRAIN, HTML, SELECTOR, TALKS, page
from tests.sources.texts import DETAINEE_LISTS, GRAIN_CORRIDOR, HARBOUR_TALKS
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import poll

DEADLINE = 30.0


@pytest.fixture
def workers() -> Iterator[ParsePool]:
    pool = ParsePool(1, timeout=60.0)
    yield pool
    pool.close()


def _recorded(store: EventStore) -> list[tuple[str, dict]]:
    """The entries a store recorded, without what differs between two runs (times)."""
    return [(e.type, {k: v for k, v in e.data.items() if k not in ("next_poll",)})
            for e in store.read_all() if e.type in ("EntryObserved", "SourcePolled")]


def _poll(store: EventStore, source: str, spec: SourceSpec, parser: ParsePool) -> str:
    with httpx.Client() as client:
        return poll_source(store, source, spec, owner="test", now=datetime(2025, 6, 2, 12, tzinfo=UTC),
                           client=client, force=True, parser=parser).status


def _big_feed(items: int) -> str:
    start = datetime(2025, 6, 1, tzinfo=UTC)
    text = "Delegates reviewed the draft again. " * 400  # long text, few elements: under the markup limit
    return rss_xml([FixtureItem(title=f"Update {n}", text=text, link=f"https://wire.example/{n}", guid=f"big-{n}",
                                published=start + timedelta(minutes=n)) for n in range(items)])


def test_entries_parsed_in_a_worker_are_recorded_as_if_parsed_in_process(
    feed_server: FeedServer, pages: FeedServer, tmp_path: Path, workers: ParsePool
) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR, DETAINEE_LISTS]))
    pages.set_feed("/statements", page(TALKS, GRAIN), content_type=HTML)
    sources = {"wire": SourceSpec(url=feed_server.url("/wire.xml")),
               "mfa": SourceSpec(kind="page", url=pages.url("/statements"), selector=SELECTOR)}
    stores = [open_pipeline_store(f"sqlite:///{tmp_path / name}.db") for name in ("pooled", "in-process")]
    in_process = ParsePool(0, timeout=60.0)
    try:
        for source, spec in sources.items():
            assert _poll(stores[0], source, spec, workers) == "ok"
            assert _poll(stores[1], source, spec, in_process) == "ok"
        assert multiprocessing.active_children()  # the first store's entries were parsed in a worker
        pooled, local = (_recorded(store) for store in stores)
        assert pooled == local and sum(1 for kind, _ in pooled if kind == "EntryObserved") == 5
    finally:
        for store in stores:
            store.close()


def test_a_parse_that_runs_out_of_time_fails_its_poll_and_the_next_parse_works(
    feed_server: FeedServer, page_store: EventStore, workers: ParsePool
) -> None:
    feed_server.set_feed("/small.xml", rss_xml([HARBOUR_TALKS]))
    feed_server.set_feed("/big.xml", _big_feed(500))  # ~7 MB: far more than 50 ms of parsing
    assert _poll(page_store, "small", SourceSpec(url=feed_server.url("/small.xml")), workers) == "ok"
    workers.timeout = 0.05
    assert _poll(page_store, "big", SourceSpec(url=feed_server.url("/big.xml")), workers) == "failed"
    [failed] = page_store.read_all(types=["SourcePollFailed"])
    assert failed.data["reason"] == "parsing took longer than 0.05s"
    workers.timeout = 60.0
    feed_server.set_feed("/small.xml", rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR]))
    assert _poll(page_store, "small", SourceSpec(url=feed_server.url("/small.xml")), workers) == "ok"


def test_a_worker_killed_between_two_polls_is_replaced(
    feed_server: FeedServer, page_store: EventStore, workers: ParsePool
) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    assert _poll(page_store, "wire", SourceSpec(url=feed_server.url("/wire.xml")), workers) == "ok"
    [worker] = multiprocessing.active_children()
    os.kill(worker.pid or 0, signal.SIGKILL)
    poll(lambda: [worker.is_alive()], lambda alive: not alive, DEADLINE, "the worker dead")
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR]))
    assert _poll(page_store, "wire", SourceSpec(url=feed_server.url("/wire.xml")), workers) == "ok"
    assert len(list(page_store.read_all(types=["EntryObserved"]))) == 2


def test_small_rule_sets_parse_in_process_and_larger_ones_use_the_cores() -> None:
    assert auto_workers(3, cpus=8) == 0 and auto_workers(200, cpus=1) == 0
    assert auto_workers(10, cpus=2) == 2 and auto_workers(500, cpus=16) == 4


def _children(pid: int) -> set[int]:
    """The processes ``pid`` started and that are still running (Linux: /proc/PID/task/*/children)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def test_no_parse_worker_outlives_a_daemon_killed_with_sigkill(sqlite_url: str, tmp_path: Path) -> None:
    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux's /proc to find the daemon's children")
    with DemoFeeds() as feeds:
        rules = write_batch_rules(tmp_path, feeds, "json://127.0.0.1:9/none", count=2)
        publish_batch(Timeline(feeds), 1)
        log = tmp_path / "daemon.log"
        daemon = start_daemon(sqlite_url, rules, log, "--parse-workers", "2")
        try:
            started = poll(lambda: [r for r in log_records(log) if r["message"] == "daemon started"],
                           lambda _record: True, DEADLINE, "daemon started")
            assert started["parse_workers"] == 2
            # Workers start on the first parse; the daemon's children may include multiprocessing's
            # resource tracker, which must not outlive it either.
            workers = poll(lambda: [_alive(_children(daemon.pid))], lambda found: len(found) >= 1, DEADLINE,
                           "the parse workers")
        finally:
            assert stop(daemon, signal.SIGKILL) == -signal.SIGKILL
        # Each worker sees its parent gone within half a second and exits.
        poll(lambda: [_alive(workers)], lambda left: not left, DEADLINE, "no worker left")


def test_vigil_run_refuses_a_negative_number_of_parse_workers(sqlite_url: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("items: {}\n")
    done = subprocess.run([sys.executable, "-m", "service.cli", "--db", sqlite_url, "run", "--rules", str(rules),
                           "--parse-workers", "-1"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--parse-workers" in done.stderr, done.stderr
