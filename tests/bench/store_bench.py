"""Event store throughput, side by side: Vigil, the `eventsourcing` library's recorder, and the raw driver.

A script, not a test: `python -m tests.bench.store_bench [--appends N] [--runs 3] [--backends sqlite,postgresql]`
(needs the `bench` extra: `pip install -e '.[bench]'`; `make bench` runs it).

Each run writes the same events with each contender on a fresh database with the same durability:
SQLite in WAL mode with synchronous=FULL (Vigil's default) and again with synchronous=NORMAL; PostgreSQL
with the server's defaults (synchronous_commit=on). The contenders of a row run one after the other in
the same run, and each ratio is taken within a run; the table shows the median figure of each contender
and the min/median/max of the ratios over the runs.

- Vigil: ``EventStore.append`` (expected-version check, hash chain, serialized appenders) and ``read_all``.
- eventsourcing: its application recorder (``insert_events``, ``select_notifications``), JSON by the
  standard library, as its applications do.
- raw driver: the bare driver (sqlite3, psycopg) inserting the same rows into Vigil's own ``events``
  table: the application's dict serialized with the standard library's ``json.dumps``, no version check,
  no chain (the hash columns hold a constant), the same transactions. Reading, one query over the same
  ten columns, decoding data and metadata. What any Python event store must pay.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from service.store import NewEvent
from service.store.bootstrap import open_store
from service.store.hashing import GENESIS, canonical_json, link_hash
from service.store.records import RecordedEvent
from tests.support.databases import pg_base_url, pg_unavailable_reason

STREAMS = 10
BATCH = 100
STAMP = "2025-06-07T11:00:00.000000+00:00"
#: (row, Vigil / raw at least, Vigil / eventsourcing at least)
TARGETS = {"1 event per append": 0.9, f"{BATCH} events per append": 0.9, "read all": 0.8}
ROWS = tuple(TARGETS)


@dataclass
class Figures:
    """Events per second of one contender in one run, by row."""

    rates: dict[str, float] = field(default_factory=dict)


def _payload(i: int) -> dict[str, object]:
    return {"source": "bench", "guid": f"g{i}", "title": f"Entry {i} about the talks",
            "text": "Officials in Kyiv and Moscow said the prisoner exchange will take place on Monday. " * 2,
            "published": "2025-06-07T11:00:00.000000+00:00", "content_hash": f"{i:064x}"}


@dataclass
class Contender:
    """One contender's work, in slices: ``single(start, count)`` one-event appends, ``batched(start, count)``
    appends of BATCH events, ``read()`` everything written; ``close()`` at the end."""

    single: Callable[[int, int], None]
    batched: Callable[[int, int], None]
    read: Callable[[], None]
    close: Callable[[], None] = lambda: None


#: Each row is measured in this many slices, the contenders taking turns (in a rotating order), so that
#: the other work on a shared machine falls on all of them alike.
SLICES = 10


def measure(contenders: list[Contender], appends: int) -> list[Figures]:
    """Every contender's events/s for each row, measured in interleaved slices."""
    seconds = [dict.fromkeys(ROWS, 0.0) for _ in contenders]
    batches = appends // 10
    for turn in range(SLICES):
        order = [(turn + k) % len(contenders) for k in range(len(contenders))]
        for row, work in ((ROWS[0], lambda c, t=turn: c.single(t * appends // SLICES, appends // SLICES)),
                          (ROWS[1], lambda c, t=turn: c.batched(t * batches // SLICES, batches // SLICES))):
            for index in order:
                started = time.perf_counter()
                work(contenders[index])
                seconds[index][row] += time.perf_counter() - started
    total = appends // SLICES * SLICES + batches // SLICES * SLICES * BATCH
    for turn in range(3):
        for index in [(turn + k) % len(contenders) for k in range(len(contenders))]:
            started = time.perf_counter()
            contenders[index].read()
            seconds[index][ROWS[2]] += time.perf_counter() - started
    counts = {ROWS[0]: appends // SLICES * SLICES, ROWS[1]: batches // SLICES * SLICES * BATCH, ROWS[2]: 3 * total}
    for contender in contenders:
        contender.close()
    return [Figures({row: counts[row] / spent[row] for row in ROWS}) for spent in seconds]


# --- Vigil ---------------------------------------------------------------------------------------------


def bench_vigil(url: str) -> Contender:
    store = open_store(url)
    versions = dict.fromkeys(range(STREAMS), 0)

    def single(start: int, count: int) -> None:
        for i in range(start, start + count):
            stream = i % STREAMS
            store.append(f"source:s{stream}", [NewEvent("EntryObserved", _payload(i))], versions[stream])
            versions[stream] += 1

    def batched(start: int, count: int) -> None:
        for b in range(start, start + count):
            stream = b % STREAMS
            events = [NewEvent("EntryObserved", _payload(b * BATCH + j)) for j in range(BATCH)]
            store.append(f"source:s{stream}", events, versions[stream])
            versions[stream] += BATCH

    def read() -> None:
        for event in store.read_all(0, batch_size=1000):
            _ = event.data["guid"]

    return Contender(single, batched, read, store.close)


# --- the eventsourcing library ---------------------------------------------------------------------


def bench_eventsourcing(recorder: object) -> Contender:
    from eventsourcing.persistence import StoredEvent

    ids = [uuid.uuid4() for _ in range(STREAMS)]
    versions = dict.fromkeys(range(STREAMS), 0)

    def event(i: int, stream: int) -> StoredEvent:
        versions[stream] += 1
        state = json.dumps(_payload(i), separators=(",", ":")).encode()
        return StoredEvent(originator_id=ids[stream], originator_version=versions[stream],
                           topic="vigil:EntryObserved", state=state)

    def single(start: int, count: int) -> None:
        for i in range(start, start + count):
            recorder.insert_events([event(i, i % STREAMS)])  # type: ignore[attr-defined]

    def batched(start: int, count: int) -> None:
        for b in range(start, start + count):
            recorder.insert_events([event(b * BATCH + j, b % STREAMS) for j in range(BATCH)])  # type: ignore[attr-defined]

    def read() -> None:
        start = 1
        while True:
            page = recorder.select_notifications(start, 1000)  # type: ignore[attr-defined]
            for notification in page:
                _ = json.loads(notification.state)["guid"]
            if len(page) < 1000:
                return
            start = page[-1].id + 1

    return Contender(single, batched, read)


def eventsourcing_sqlite(path: str, synchronous: str) -> object:
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

    datastore = SQLiteDatastore(db_name=path, pool_size=1, max_overflow=0)
    recorder = SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    # One pooled connection (pool_size=1): set the pragma on it, outside any transaction.
    with datastore.get_connection(commit=False) as connection:
        connection._sqlite_conn.execute(f"PRAGMA synchronous={synchronous}")
    return recorder


def eventsourcing_postgres(schema: str) -> object:
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    info = psycopg.conninfo.conninfo_to_dict(pg_base_url())
    datastore = PostgresDatastore(dbname=str(info.get("dbname", "test")), host=str(info.get("host", "127.0.0.1")),
                                  port=str(info.get("port", 5432)), user=str(info.get("user", "postgres")),
                                  password=str(info.get("password", "")), schema=schema)
    recorder = PostgresApplicationRecorder(datastore)
    recorder.create_table()
    return recorder


# --- the raw driver ---------------------------------------------------------------------------------


INSERT = ("INSERT INTO events (position, stream_id, stream_version, event_type, schema_version, data, metadata, "
          "recorded_at, prev_hash, hash) VALUES ({marks})")
SELECT = ("SELECT position, stream_id, stream_version, event_type, schema_version, data, metadata, recorded_at, "
          "prev_hash, hash FROM events ORDER BY position")


def _raw_row(i: int, stream: int, position: int, version: int) -> tuple[object, ...]:
    """One row as a bare-driver application makes it: its dict through json.dumps, no chain."""
    return (position, f"source:s{stream}", version, "EntryObserved", 1, json.dumps(_payload(i)), "{}", STAMP,
            GENESIS, GENESIS)


class _Positions:
    """Positions and stream versions for the raw driver (counted in Python: no query, no check)."""

    def __init__(self) -> None:
        self.position = 0
        self.versions = dict.fromkeys(range(STREAMS), 0)

    def next(self, stream: int) -> tuple[int, int]:
        self.position += 1
        self.versions[stream] += 1
        return self.position, self.versions[stream]


def bench_raw_sqlite(path: str, synchronous: str) -> Contender:
    open_store(path).close()  # Vigil's schema, migrated
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    sql = INSERT.format(marks=", ".join("?" * 10))
    counter = _Positions()

    def single(start: int, count: int) -> None:
        for i in range(start, start + count):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, _raw_row(i, i % STREAMS, *counter.next(i % STREAMS)))
            conn.execute("COMMIT")

    def batched(start: int, count: int) -> None:
        for b in range(start, start + count):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, [_raw_row(b * BATCH + j, b % STREAMS, *counter.next(b % STREAMS))
                                   for j in range(BATCH)])
            conn.execute("COMMIT")

    def read() -> None:
        for row in conn.execute(SELECT):
            _ = json.loads(row[5])["guid"], json.loads(row[6])

    return Contender(single, batched, read, conn.close)


def bench_raw_postgres(url: str) -> Contender:
    open_store(url).close()
    conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=False)
    sql = INSERT.format(marks="%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s")
    counter = _Positions()

    def single(start: int, count: int) -> None:
        for i in range(start, start + count):
            conn.execute(sql, _raw_row(i, i % STREAMS, *counter.next(i % STREAMS)))
            conn.commit()

    def batched(start: int, count: int) -> None:
        with conn.cursor() as cursor:
            for b in range(start, start + count):
                cursor.executemany(sql, [_raw_row(b * BATCH + j, b % STREAMS, *counter.next(b % STREAMS))
                                         for j in range(BATCH)])
                conn.commit()

    def read() -> None:
        with conn.cursor() as cursor:
            cursor.execute(SELECT)
            for row in cursor:  # psycopg decodes JSONB itself
                _ = row[5]["guid"], row[6]

    return Contender(single, batched, read, conn.close)


# --- running and printing -----------------------------------------------------------------------------


@dataclass
class Table:
    """Every run's figures for one backend setting."""

    title: str
    runs: list[tuple[Figures, Figures | None, Figures]] = field(default_factory=list)


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def own_work_us() -> dict[str, float]:
    """What Vigil does for each event that the raw driver does not, timed here on the bench's own events in
    microseconds: canonical JSON of data and metadata (the raw driver pays a ``json.dumps`` of the data
    instead, subtracted), the chain's SHA-256, and the RecordedEvent handed back."""
    count = 2000
    events = [NewEvent("EntryObserved", _payload(i)) for i in range(count)]
    started = time.perf_counter()
    encoded = [(canonical_json(e.data), canonical_json(e.metadata)) for e in events]
    canonical = time.perf_counter() - started
    started = time.perf_counter()
    _ = [json.dumps(e.data) for e in events]
    plain = time.perf_counter() - started
    started = time.perf_counter()
    digest = GENESIS
    for position, (data_json, metadata_json) in enumerate(encoded, 1):
        digest = link_hash(digest, position, "source:s0", position, "EntryObserved", 1, data_json, metadata_json, STAMP)
    hashing = time.perf_counter() - started
    moment = datetime.fromisoformat(STAMP)
    started = time.perf_counter()
    _ = [RecordedEvent(i, "source:s0", i, e.type, 1, e.data, e.metadata, moment, GENESIS, GENESIS)
         for i, e in enumerate(events)]
    records = time.perf_counter() - started
    return {"JSON": (canonical - plain) / count * 1e6, "hash": hashing / count * 1e6, "records": records / count * 1e6}


#: What a write transaction of Vigil does beyond the raw driver's, by backend (profiled: docs/performance.md).
PER_TRANSACTION = {
    "SQLite": "one statement more (PRAGMA data_version: is the remembered chain head still the table's?) and "
              "~15-20 us of Python (the write turn, the expected-version check, two context managers, the "
              "records handed back, the wake-up)",
    "PostgreSQL": "the NOTIFY riding in the INSERT that wakes other daemons at commit (the raw driver sends "
                  "none; stubbed out, the ratio was 0.74-0.77 before this bench counted JSON for the raw "
                  "driver too) and the append lock in the BEGIN",
}


def _why(title: str, row: str, vigil: float, raw: float, own: dict[str, float]) -> str:
    """For a write row not met: the gap an event beside Vigil's own work an event (timed in this process)."""
    gap = (1 / vigil - 1 / raw) * 1e6
    parts = ", ".join(f"{name} {value:.1f}" for name, value in own.items())
    where = PER_TRANSACTION[title.split()[0]] if row.startswith("1 ") else "noise, mostly (a run's spread)"
    return (f"    why: {gap:,.1f} us an event more than the raw driver, of which Vigil's own work an event (canonical "
            f"JSON beyond json.dumps, chain hash, records; timed here) is {sum(own.values()):.1f} us ({parts}); "
            f"the rest is per transaction: {where}")


def print_table(table: Table, own: dict[str, float] | None = None) -> list[bool]:
    """Print one backend's table; return, for each target it prints, whether it is met. Under a write row
    whose target is not met, ``own`` (Vigil's own work an event) says where the difference goes."""
    print(f"\n{table.title}  ({len(table.runs)} runs; events/s are medians; ratios min / median / max)")
    print(f"  {'':<22}{'Vigil':>10}{'eventsourcing':>15}{'raw driver':>12}  {'Vigil/raw':<20}"
          f"{'Vigil/eventsourcing':<22}target")
    met: list[bool] = []
    for row in ROWS:
        vigil = [run[0].rates[row] for run in table.runs]
        raw = [run[2].rates[row] for run in table.runs]
        to_raw = [v / r for v, r in zip(vigil, raw, strict=True)]
        libraries = [run[1].rates[row] for run in table.runs if run[1] is not None]
        to_library = [run[0].rates[row] / run[1].rates[row] for run in table.runs if run[1] is not None]
        library = f"{statistics.median(libraries):,.0f}" if libraries else "-"
        row_met = statistics.median(to_raw) >= TARGETS[row] and (not to_library or statistics.median(to_library) >= 1)
        met.append(row_met)
        print(f"  {row:<22}{statistics.median(vigil):>10,.0f}{library:>15}{statistics.median(raw):>12,.0f}  "
              f"{_spread(to_raw):<20}{_spread(to_library) if to_library else '-':<22}"
              f">= {TARGETS[row]}x raw{', > eventsourcing' if to_library else ''}: "
              f"{'met' if row_met else 'NOT MET'}")
        if not row_met and own is not None and row != "read all":
            print(_why(table.title, row, statistics.median(vigil), statistics.median(raw), own))
    return met


def sqlite_table(appends: int, runs: int, synchronous: str) -> Table:
    table = Table(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous={synchronous}")
    os.environ["VIGIL_SQLITE_SYNCHRONOUS"] = synchronous
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            vigil, library, floor = measure([
                bench_vigil(str(Path(folder) / "vigil.db")),
                bench_eventsourcing(eventsourcing_sqlite(str(Path(folder) / "es.db"), synchronous)),
                bench_raw_sqlite(str(Path(folder) / "raw.db"), synchronous)], appends)
        table.runs.append((vigil, library, floor))
    return table


@contextmanager
def _pg_schemas(count: int) -> Iterator[list[str]]:
    base = pg_base_url()
    schemas = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(count)]
    with psycopg.connect(base, autocommit=True) as admin:
        for schema in schemas:
            admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schemas
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            for schema in schemas:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")


def postgres_table(appends: int, runs: int) -> Table:
    base = pg_base_url()
    with psycopg.connect(base) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    table = Table(f"PostgreSQL {version}, synchronous_commit=on")
    separator = "&" if "?" in base else "?"
    for _ in range(runs):
        with _pg_schemas(3) as schemas:
            url = [f"{base}{separator}options=-csearch_path%3D{schema}" for schema in schemas]
            vigil, library, floor = measure([
                bench_vigil(url[0]), bench_eventsourcing(eventsourcing_postgres(schemas[1])),
                bench_raw_postgres(url[2])], appends)
        table.runs.append((vigil, library, floor))
    return table


def main() -> None:
    """Run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appends", type=int, default=1000, help="one-event appends (batched: appends/10 x 100)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    started = time.perf_counter()
    met: list[bool] = []
    own = own_work_us()
    print("Vigil's own work an event (us), timed here: " + ", ".join(f"{k} {v:.1f}" for k, v in own.items()))
    if "sqlite" in backends:
        for synchronous in ("FULL", "NORMAL"):
            met += print_table(sqlite_table(args.appends, args.runs, synchronous), own)
    if "postgresql" in backends:
        reason = pg_unavailable_reason()
        if reason:
            print(f"\nPostgreSQL skipped: {reason}")
        else:
            met += print_table(postgres_table(args.appends, args.runs), own)
    print(f"\n{sum(met)} of {len(met)} targets met ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
