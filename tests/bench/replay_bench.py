"""Replay throughput and memory: rebuild every projection from a long generated log.

A script, not a test:
`python -m tests.bench.replay_bench [--events 1000000] [--backends sqlite,postgresql] [--runs 3]`.

The log is a realistic mix per 100 events: 70 entries observed (10 sources), 15 polls, 10 pieces of
evidence (20 items), 3 state changes, 1 alert raised with 1 delivery, each with the metadata the daemon
writes. Peak RSS is the process's maximum resident set size, so it includes generating the log.

Throughput depends on the machine as much as on the code, so the script also prints how fast the same
machine merely reads and decodes the log (no projection): the replay can never be faster than that.
"""

from __future__ import annotations

import argparse
import gc
import resource
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

from service.history.replay import replay
from service.pipeline.projections import PROJECTIONS
from service.pipeline.wiring import open_pipeline_store
from service.store.records import NewEvent
from tests.support.databases import pg_base_url, pg_unavailable_reason

PUBLISHED = "2025-06-07T11:00:00.000000+00:00"


def _caused(n: int) -> dict[str, object]:
    return {"causation_id": n * 100 + 1, "correlation_id": f"{n:032x}"}


def _block(n: int) -> list[tuple[str, NewEvent]]:
    """100 events of the mix, numbered from block ``n``."""
    events: list[tuple[str, NewEvent]] = []
    for i in range(70):
        source = f"s{i % 10}"
        events.append((f"source:{source}", NewEvent("EntryObserved", {
            "source": source, "guid": f"g{n}-{i}", "link": f"https://news.test/{n}/{i}", "title": f"Story {n}.{i}",
            "text": "Officials in Kyiv and Moscow said the talks would continue next week.", "published": PUBLISHED,
            "content_hash": f"{n:032x}{i:032x}"}, {"source": source, "url_final": f"https://news.test/{source}.xml"})))
    for i in range(15):
        events.append((f"source:s{i % 10}", NewEvent("SourcePolled", {
            "source": f"s{i % 10}", "status": 200, "entries_new": 5, "entries_revised": 0, "etag": f"e{n}",
            "last_modified": None, "problem": None, "next_poll": PUBLISHED},
            {"source": f"s{i % 10}", "url_final": f"https://news.test/s{i % 10}.xml"})))
    for i in range(10):
        item = f"item{(n + i) % 20}"
        events.append((f"item:{item}", NewEvent("EvidenceFound", {
            "evidence_id": f"ev-{n}-{i}", "item": item, "value": "agreed", "sentence": "They agreed to it.",
            "pattern": "agreed", "source": f"s{i}", "link": "https://news.test/x", "guid": f"g{n}-{i}",
            "published": PUBLISHED}, _caused(n))))
    for i in range(3):
        item = f"item{(n + i) % 20}"
        events.append((f"item:{item}", NewEvent("ItemStateChanged", {
            "item": item, "from_value": "none", "to_value": "agreed", "evidence_ids": [f"ev-{n}-{i}"],
            "sentences": ["They agreed to it."], "links": ["https://news.test/x"], "sources": [f"s{i}"],
            "published": PUBLISHED}, _caused(n))))
    alert = f"al-{n:016x}"
    events.append((f"alert:{alert}", NewEvent("AlertRaised", {
        "alert_id": alert, "rule": "r", "item": f"item{n % 20}", "severity": "info", "title": "T", "body": "B",
        "subscribers": ["ops"], "trigger_position": 1, "rules_hash": "h"}, _caused(n))))
    events.append((f"alert:{alert}", NewEvent("AlertDelivered", {
        "alert_id": alert, "subscriber": "ops", "target_index": 0, "target": "json://x", "attempt": 1},
        _caused(n))))
    return events


def _generate(url: str, count: int) -> None:
    store = open_pipeline_store(url)
    store.projections = []  # generate the log only; the replay builds the projections
    store.append("config", [NewEvent("SubscriberAdded", {"name": "ops", "urls": ["json://x"], "items": [],
                                                         "tags": [], "min_severity": "info", "origin": "rules"})])
    for n in range(count // 100):
        with store.transaction() as tx:
            by_stream: dict[str, list[NewEvent]] = {}
            for stream, event in _block(n):
                by_stream.setdefault(stream, []).append(event)
            for stream, events in by_stream.items():
                tx.append(stream, events)
    store.close()


def _bench(label: str, url: str, count: int, runs: int) -> None:
    started = time.perf_counter()
    _generate(url, count)
    print(f"{label}: {count:,} events generated in {time.perf_counter() - started:.0f}s", flush=True)
    store = open_pipeline_store(url)
    gc.disable()  # as replay() does
    started = time.perf_counter()
    read = sum(len(batch) for batch in store.read_batches(0, batch_size=20_000, chain=False, metadata=False))
    print(f"  reading and decoding alone: {read / (time.perf_counter() - started):,.0f} events/s", flush=True)
    gc.enable()
    for run in range(1, runs + 1):
        started = time.perf_counter()
        report = replay(store, PROJECTIONS)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  replay {run}: {report.events:,} events in {seconds:.1f}s = {report.events / seconds:,.0f} "
              f"events/s; peak RSS {peak_mb:,.0f} MB   (targets: >= 100,000 events/s on SQLite, < 300 MB)",
              flush=True)
    store.close()


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3, help="replays of the same generated log")
    args = parser.parse_args()
    if "sqlite" in args.backends:
        with tempfile.TemporaryDirectory() as folder:
            _bench("SQLite (WAL, synchronous=FULL)", str(Path(folder) / "replay.db"), args.events, args.runs)
    if "postgresql" in args.backends:
        reason = pg_unavailable_reason()
        if reason:
            print(f"PostgreSQL skipped: {reason}")
            return
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        base = pg_base_url()
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        try:
            _bench("PostgreSQL", f"{base}?options=-csearch_path%3D{schema}", args.events, args.runs)
        finally:
            with psycopg.connect(base, autocommit=True) as admin:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
