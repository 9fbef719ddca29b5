"""Does Vigil stay as fast on a years-old log as on a new one? The daemon's work and the HTTP reads, timed
on a young store and on an aged one.

A script, not a test:
`python -m tests.bench.aged_store_bench [--events 1000000] [--backends sqlite,postgresql] [--rounds 5]`
(`--drop-cache` drops the cached logs below and stops).

The aged store holds ``--events`` events generated as `replay_bench` does (10 sources, 20 items, their
evidence, changes, alerts and deliveries), its projections rebuilt by a replay; the new store holds
none, and a third, the *full young* store, holds ``--full-events`` (70,000) generated the same way: enough
for every card, page, API answer and feed to show as much as on the aged store (each item ~350 marks and
~105 changes, where a page shows at most 34 marks, 25 changes and the timeline API 100; 700 alerts),
fourteen times less log. A new store's pages show almost nothing (a card with one mark), so
"aged / new" mixes what a page shows with what the log holds; "aged / full young" is what the issue's
target means, a page costing what it shows and not what the log holds. Both ratios are printed.

All three are run by the same rules through the real pipeline: each round, every source's local feed
gains five routine entries and one source's entry moves an item, and the round is timed from the polls
to the alert received by a loopback ``json://`` receiver (apprise). The HTTP reads (dashboard,
JSON API, /metrics, the Atom feed) are timed over loopback HTTP from the daemon's own web server.
Anything that costs more as the log grows shows as a ratio far above 1; each figure is printed with its
ratio and whether it meets the target (the aged store at most 2x the full young one).

The generated log is cached, keyed by the generator's version (a hash of replay_bench.py) and the event
count, so a rerun does not generate it again: on SQLite a file under /tmp/vigil-aged-bench, copied for each
run; on PostgreSQL a template database ``vigil_aged_bench_log_<version>_<events>``, from which the bench
creates its own databases ``vigil_aged_bench`` (the new store) and ``vigil_aged_bench_aged`` and drops them
at the end. The projections are rebuilt by a replay on every run, so a cached log never holds stale projections.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
from tests.bench import replay_bench
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


#: A page or stage meets the target when the aged store costs at most this many times the new one.
TARGET_RATIO = 2.0


def _report(label: str, young: dict[str, float], full: dict[str, float], aged: dict[str, float], events: int,
            full_events: int) -> None:
    print(f"{label}: median ms on a new store, a full young one ({full_events:,} events) and an aged one "
          f"({events:,}); target: aged <= {TARGET_RATIO:g}x full young "
          f"(as much shown, {events // full_events}x the log)")
    print(f"  {'figure':<28} {'new':>9} {'full':>9} {'aged':>9}   aged/new  aged/full  target")
    for name in young:
        over_new = aged[name] / young[name] if young[name] else float("inf")
        ratio = aged[name] / full[name] if full[name] else float("inf")
        verdict = "met" if ratio <= TARGET_RATIO else "NOT MET"
        print(f"  {name:<28} {young[name]:9.1f} {full[name]:9.1f} {aged[name]:9.1f}   x{over_new:<7.1f}"
              f"  x{ratio:<7.1f}  {verdict}")


def _generator_version() -> str:
    """Changes whenever the log's generator does, so a cached log is never one of an older mix."""
    return hashlib.sha256(Path(replay_bench.__file__).read_bytes()).hexdigest()[:12]


def _cache_folder() -> Path:
    return Path(tempfile.gettempdir()) / "vigil-aged-bench"


def _cached_sqlite_log(events: int) -> Path:
    """A SQLite file holding the generated log (no projections), generated once per generator version."""
    path = _cache_folder() / f"log-{_generator_version()}-{events}.db"
    if path.exists():
        print(f"SQLite: reusing the generated log {path}", flush=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for stale in path.parent.glob(partial.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    _generate(str(partial), events)
    print(f"SQLite: {events:,} events generated in {time.perf_counter() - started:.0f}s, cached in {path}",
          flush=True)
    partial.rename(path)  # the store closed cleanly: its WAL is checkpointed into the file
    return path


def _database_url(base: str, database: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))


#: The bench's own PostgreSQL database (the new store; the aged one is it with ``_aged``), dropped at the end.
PG_DATABASE = "vigil_aged_bench"


def _cached_postgresql_log(base: str, events: int) -> str:
    """The name of a database holding the generated log, kept as a template between runs."""
    name = f"vigil_aged_bench_log_{_generator_version()}_{events}"
    with psycopg.connect(base, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            print(f"PostgreSQL: reusing the generated log in database {name}", flush=True)
            return name
        partial = f"{name}_partial"
        admin.execute(f"DROP DATABASE IF EXISTS {partial}")
        admin.execute(f"CREATE DATABASE {partial}")
    started = time.perf_counter()
    _generate(_database_url(base, partial), events)
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {partial} RENAME TO {name}")
    print(f"PostgreSQL: {events:,} events generated in {time.perf_counter() - started:.0f}s, cached in database "
          f"{name}", flush=True)
    return name


@contextmanager
def _sqlite(sizes: tuple[int, ...]) -> Iterator[tuple[str, Callable[[int], str]]]:
    """A new store, and a way to copy a cached log of each of ``sizes``, as SQLite files in a folder dropped
    afterwards."""
    cached = {events: _cached_sqlite_log(events) for events in sizes}
    with tempfile.TemporaryDirectory() as folder:

        def copy(events: int) -> str:
            path = Path(folder) / f"log-{events}.db"
            shutil.copyfile(cached[events], path)
            return str(path)

        yield str(Path(folder) / "young.db"), copy


@contextmanager
def _postgresql(sizes: tuple[int, ...]) -> Iterator[tuple[str, Callable[[int], str]]]:
    """The bench's own databases: ``vigil_aged_bench`` for the new store, and ``vigil_aged_bench_<events>``
    copied from a cached template only once the stores before it have been measured (copying one starts
    autovacuum's work)."""
    base = pg_base_url()
    templates = {events: _cached_postgresql_log(base, events) for events in sizes}
    names = [PG_DATABASE] + [f"{PG_DATABASE}_{events}" for events in sizes]
    with psycopg.connect(base, autocommit=True) as admin:
        for name in names:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")

    def copy(events: int) -> str:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {PG_DATABASE}_{events} TEMPLATE {templates[events]}")
        return _database_url(base, f"{PG_DATABASE}_{events}")

    try:
        yield _database_url(base, PG_DATABASE), copy
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            for name in names:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _bench(label: str, young_url: str, copy: Callable[[int], str], sizes: tuple[int, int], rounds: int) -> None:
    full_events, events = sizes
    with tempfile.TemporaryDirectory() as folder:
        young_store = open_pipeline_store(young_url)
        young = _measure(young_store, Path(folder), rounds)
        young_store.close()
        full = _measure_log(label, copy(full_events), full_events, Path(folder) / "full", rounds)
        aged = _measure_log(label, copy(events), events, Path(folder) / "aged", rounds)
    _report(label, young, full, aged, events, full_events)


def _measure_log(label: str, url: str, events: int, folder: Path, rounds: int) -> dict[str, float]:
    """The figures of a store holding a generated log of ``events``, its projections rebuilt first."""
    folder.mkdir()
    started = time.perf_counter()
    store = open_pipeline_store(url)
    replay(store, PROJECTIONS)
    with store.transaction() as tx:  # a daemon that has kept up: its consumers are at the head
        for consumer in (item_tracker.CONSUMER, alert_engine.CONSUMER):
            tx.advance_checkpoint(consumer, tx.checkpoint(consumer), store.last_position())
    if url.startswith("postgresql"):  # settled, as a database that has aged is: autovacuum done
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
    print(f"{label}: projections of {events:,} events rebuilt in {time.perf_counter() - started:.0f}s", flush=True)
    try:
        return _measure(store, folder, rounds)
    finally:
        store.close()


def _drop_caches() -> None:
    shutil.rmtree(_cache_folder(), ignore_errors=True)
    if pg_unavailable_reason() is None:
        with psycopg.connect(pg_base_url(), autocommit=True) as admin:
            names = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE 'vigil_aged_bench%'")
            for (name,) in names.fetchall():
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
    print("cached logs dropped")


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--full-events", type=int, default=70_000,
                        help="the full young store's log: enough that every page shows as much as on the aged one")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds, at most 19")
    parser.add_argument("--drop-cache", action="store_true",
                        help="drop the cached generated logs (a file under /tmp, template databases) and stop")
    args = parser.parse_args()
    if args.drop_cache:
        _drop_caches()
        return
    args.rounds = min(args.rounds, len(ITEMS) - 1)
    sizes = (args.full_events, args.events)
    if "sqlite" in args.backends:
        with _sqlite(sizes) as (young, copy):
            _bench("SQLite", young, copy, sizes, args.rounds)
    if "postgresql" in args.backends:
        reason = pg_unavailable_reason()
        if reason:
            print(f"PostgreSQL skipped: {reason}")
            return
        with _postgresql(sizes) as (young, copy):
            _bench("PostgreSQL", young, copy, sizes, args.rounds)


if __name__ == "__main__":
    main()
