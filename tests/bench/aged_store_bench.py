"""Does Vigil stay as fast on a years-old log as on a new one? The daemon's work and the HTTP reads, timed
on a young store and on an aged one.

A script, not a test:
`python -m tests.bench.aged_store_bench [--events 1000000] [--backends sqlite,postgresql] [--rounds 5]`.

The aged store holds ``--events`` events generated as `replay_bench` does (10 sources, 20 items, their
evidence, changes, alerts and deliveries), its projections rebuilt by a replay; the young store holds
none. Both are then run by the same rules through the real pipeline: each round, every source's local
feed gains five routine entries and one source's entry moves an item, and the round is timed from the
polls to the alert received by a loopback ``json://`` receiver (apprise). The HTTP reads (dashboard,
JSON API, /metrics, the Atom feed) are timed over loopback HTTP from the daemon's own web server.
Anything that costs more as the log grows shows as a ratio far above 1.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg

from service.alerting import engine as alert_engine
from service.demo.feeds import FeedItem, FeedServer, render_rss
from service.demo.receiver import AlertReceiver
from service.history.replay import replay
from service.pipeline.projections import PROJECTIONS
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.state import tracker as item_tracker
from service.store.recorder import EventStore
from service.web.context import WebContext
from service.web.listen import ListenAddress
from service.web.server import WebServer
from tests.bench.replay_bench import _generate
from tests.support.databases import pg_base_url, pg_unavailable_reason

SOURCES = [f"s{n}" for n in range(10)]
ITEMS = [f"item{n}" for n in range(20)]
READS = ["/", "/dashboard/items/item0", "/api/items", "/api/items/item0/timeline", "/api/alerts", "/api/sources",
         "/metrics", "/alerts.atom", "/readyz"]


def _rules(folder: Path, feeds: FeedServer, hook: str) -> Path:
    """Rules naming the generated log's sources and items, each item moved by its own sentence."""
    lines = ["sources:"]
    lines += [f"  {source}: {{url: \"{feeds.url(source)}\", every: 10m}}" for source in SOURCES]
    lines.append("items:")
    for item in ITEMS:
        lines += [f"  {item}:", f"    title: Item {item}", "    states:",
                  f"      agreed: ['{item} (was|has been) agreed']", f"      collapsed: ['{item} (has )?collapsed']"]
    lines += ["alerts:", "  - name: r", "    notify: [ops]", "subscribers:", f"  ops: {{urls: [\"{hook}\"]}}"]
    path = folder / "aged.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


class _Feeds:
    """What the local feeds serve: five new routine entries a source a round, and one change."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.items: dict[str, list[FeedItem]] = {source: [] for source in SOURCES}
        self.clock = datetime(2026, 1, 1, tzinfo=UTC)

    def round(self, number: int) -> None:
        for source in SOURCES:
            for k in range(5):
                self._add(source, f"r{number}-{k}", "Negotiators met again; no decision was announced.")
        # Each round moves another item, to a state it is in on neither store.
        item = ITEMS[number]
        self._add(SOURCES[number % len(SOURCES)], f"c{number}", f"Officials said {item} collapsed on the day.")
        # A feed shows its newest 20 entries, as real ones do.
        self.server.publish({s: render_rss(s, items[-20:]) for s, items in self.items.items()})

    def _add(self, source: str, guid: str, text: str) -> None:
        self.clock += timedelta(minutes=1)
        self.items[source].append(FeedItem(f"{source}-{guid}", text[:40], text, self.clock,
                                           f"https://news.test/{source}/{guid}"))


def _median_ms(action: Callable[[], object], times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _measure(store: EventStore, folder: Path, rounds: int) -> dict[str, float]:
    """Median milliseconds of a pipeline round (and of its stages) and of each HTTP read."""
    figures: dict[str, list[float]] = {"round": [], "poll": [], "process": [], "deliver": []}
    with FeedServer() as server, AlertReceiver() as receiver:
        loaded = load_rules([str(_rules(folder, server, receiver.apprise_url))])
        pipeline = Pipeline(store, loaded, env={})
        pipeline.record_configuration()
        feeds = _Feeds(server)
        for number in range(rounds + 1):  # round 0 warms up (first poll of each feed, cold caches)
            feeds.round(number)
            started = time.perf_counter()
            pipeline.poll_all(force=True)
            polled = time.perf_counter()
            processed = pipeline.process()
            done_processing = time.perf_counter()
            pipeline.deliver()
            finished = time.perf_counter()
            if processed.changes != 1 or len(receiver.take()) != 1:
                raise SystemExit(f"round {number}: expected one change and one alert, got {processed}")
            if number:
                figures["round"].append((finished - started) * 1000)
                figures["poll"].append((polled - started) * 1000)
                figures["process"].append((done_processing - polled) * 1000)
                figures["deliver"].append((finished - done_processing) * 1000)
        pipeline.close()
        result = {name: statistics.median(values) for name, values in figures.items()}
        server = WebServer(ListenAddress("127.0.0.1", 0), WebContext(store, rules=lambda: loaded,
                                                                     started_at=datetime.now(UTC)))
        server.start()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=60) as client:
                _wait_until_served(client)
                for path in READS:
                    client.get(path).raise_for_status()  # warm: the first /metrics scrape reads the log once
                    result[path] = _median_ms(lambda path=path: client.get(path).raise_for_status(), rounds)
        finally:
            server.stop()
    return result


def _wait_until_served(client: httpx.Client) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            client.get("/healthz").raise_for_status()
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise


def _report(label: str, young: dict[str, float], aged: dict[str, float], events: int) -> None:
    print(f"{label}: median ms, a new store vs one of {events:,} events")
    for name in young:
        ratio = aged[name] / young[name] if young[name] else float("inf")
        print(f"  {name:<28} {young[name]:9.1f} {aged[name]:9.1f}   x{ratio:.1f}")


@contextmanager
def _sqlite() -> Iterator[Callable[[], str]]:
    with tempfile.TemporaryDirectory() as folder:
        names = iter(range(1000))
        yield lambda: str(Path(folder) / f"store-{next(names)}.db")


@contextmanager
def _postgresql() -> Iterator[Callable[[], str]]:
    base = pg_base_url()
    schemas: list[str] = []

    def fresh() -> str:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"CREATE SCHEMA {schema}")
        schemas.append(schema)
        return f"{base}?options=-csearch_path%3D{schema}"

    try:
        yield fresh
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            for schema in schemas:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")


def _bench(label: str, fresh: Callable[[], str], events: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        young_store = open_pipeline_store(fresh())
        young = _measure(young_store, Path(folder), rounds)
        young_store.close()
        aged_url = fresh()
        started = time.perf_counter()
        _generate(aged_url, events)
        aged_store = open_pipeline_store(aged_url)
        replay(aged_store, PROJECTIONS)
        with aged_store.transaction() as tx:  # a daemon that has kept up: its consumers are at the head
            for consumer in (item_tracker.CONSUMER, alert_engine.CONSUMER):
                tx.advance_checkpoint(consumer, tx.checkpoint(consumer), aged_store.last_position())
        print(f"{label}: aged store of {events:,} events built in {time.perf_counter() - started:.0f}s", flush=True)
        aged = _measure(aged_store, Path(folder), rounds)
        aged_store.close()
    _report(label, young, aged, events)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds, at most 19")
    args = parser.parse_args()
    args.rounds = min(args.rounds, len(ITEMS) - 1)
    if "sqlite" in args.backends:
        with _sqlite() as fresh:
            _bench("SQLite", fresh, args.events, args.rounds)
    if "postgresql" in args.backends:
        reason = pg_unavailable_reason()
        if reason:
            print(f"PostgreSQL skipped: {reason}")
            return
        with _postgresql() as fresh:
            _bench("PostgreSQL", fresh, args.events, args.rounds)


if __name__ == "__main__":
    main()
