"""Event store throughput, side by side: Vigil, the `eventsourcing` library, and the raw driver floor.

A script, not a test: `.venv/bin/python tests/bench/store_bench.py [--appends N] [--backends sqlite,postgresql]`
(needs the `bench` extra: `pip install -e '.[bench]'`).

Every contender writes the same events on a fresh database with the same durability settings:
SQLite in WAL mode with synchronous=FULL (Vigil's default), then all three again with synchronous=NORMAL;
PostgreSQL with the server's defaults (synchronous_commit=on). The floor inserts the same precomputed
rows into Vigil's own `events` table with the bare driver: what any Python event store must pay.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from service.store import NewEvent
from service.store.bootstrap import open_store
from service.store.hashing import GENESIS, canonical_json, chain_hash
from tests.support.databases import pg_base_url, pg_unavailable_reason

STREAMS = 10
BATCH = 100


@dataclass
class Figures:
    """Events per second for one contender."""

    single: float
    batched: float
    read: float


def _payload(i: int) -> dict[str, object]:
    return {"source": "bench", "guid": f"g{i}", "title": f"Entry {i} about the talks",
            "text": "Officials in Kyiv and Moscow said the prisoner exchange will take place on Monday. " * 2,
            "published": "2025-06-07T11:00:00.000000+00:00", "content_hash": f"{i:064x}"}


def _rate(count: int, run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


# --- Vigil ---------------------------------------------------------------------------------------------


def bench_vigil(url: str, appends: int) -> Figures:
    store = open_store(url)
    versions = dict.fromkeys(range(STREAMS), 0)

    def single() -> None:
        for i in range(appends):
            stream = i % STREAMS
            store.append(f"source:s{stream}", [NewEvent("EntryObserved", _payload(i))], versions[stream])
            versions[stream] += 1

    def batched() -> None:
        for b in range(appends // 10):
            stream = b % STREAMS
            events = [NewEvent("EntryObserved", _payload(b * BATCH + j)) for j in range(BATCH)]
            store.append(f"source:s{stream}", events, versions[stream])
            versions[stream] += BATCH

    def read() -> None:
        for event in store.read_all(0, batch_size=1000):
            _ = event.data["guid"]

    figures = Figures(_rate(appends, single), _rate(appends // 10 * BATCH, batched), 0.0)
    total = store.last_position()
    figures.read = _rate(total, read)
    store.close()
    return figures


# --- the eventsourcing library ---------------------------------------------------------------------


def bench_eventsourcing(recorder: object, appends: int) -> Figures:
    from eventsourcing.persistence import StoredEvent

    ids = [uuid.uuid4() for _ in range(STREAMS)]
    versions = dict.fromkeys(range(STREAMS), 0)

    def event(i: int, stream: int) -> StoredEvent:
        versions[stream] += 1
        state = json.dumps(_payload(i), separators=(",", ":")).encode()
        return StoredEvent(originator_id=ids[stream], originator_version=versions[stream],
                           topic="vigil:EntryObserved", state=state)

    def single() -> None:
        for i in range(appends):
            recorder.insert_events([event(i, i % STREAMS)])  # type: ignore[attr-defined]

    def batched() -> None:
        for b in range(appends // 10):
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

    figures = Figures(_rate(appends, single), _rate(appends // 10 * BATCH, batched), 0.0)
    figures.read = _rate(appends + appends // 10 * BATCH, read)
    return figures


def eventsourcing_sqlite(path: str, synchronous: str) -> object:
    from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

    datastore = SQLiteDatastore(db_name=path, pool_size=1, max_overflow=0)
    recorder = SQLiteApplicationRecorder(datastore)
    recorder.create_table()
    # One pooled connection (pool_size=1): set the pragma on it, outside any transaction.
    with datastore.get_connection(commit=False) as connection:
        connection._sqlite_conn.execute(f"PRAGMA synchronous={synchronous}")
        print(f"  (eventsourcing's SQLite connection: journal_mode="
              f"{connection._sqlite_conn.execute('PRAGMA journal_mode').fetchone()[0]}, synchronous="
              f"{connection._sqlite_conn.execute('PRAGMA synchronous').fetchone()[0]})")
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


# --- the raw driver floor ---------------------------------------------------------------------------


def _rows(count: int, start: int) -> list[tuple[object, ...]]:
    rows, prev = [], GENESIS
    for i in range(count):
        data = canonical_json(_payload(i))
        digest = chain_hash(prev, position=start + i, stream_id=f"source:s{i % STREAMS}",
                            stream_version=i // STREAMS + 1, event_type="EntryObserved", schema_version=1,
                            data_json=data, metadata_json="{}", recorded_at="2025-06-07T11:00:00.000000+00:00")
        rows.append((start + i, f"source:s{i % STREAMS}", start + i, "EntryObserved", 1, data, "{}",
                     "2025-06-07T11:00:00.000000+00:00", prev, digest))
        prev = digest
    return rows


INSERT = ("INSERT INTO events (position, stream_id, stream_version, event_type, schema_version, data, metadata, "
          "recorded_at, prev_hash, hash) VALUES ({marks})")


def bench_raw_sqlite(path: str, appends: int, synchronous: str) -> Figures:
    open_store(path).close()  # Vigil's schema, migrated
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    sql = INSERT.format(marks=", ".join("?" * 10))
    single_rows = _rows(appends, 1)
    batch_rows = _rows(appends // 10 * BATCH, appends + 1)

    def single() -> None:
        for row in single_rows:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, row)
            conn.execute("COMMIT")

    def batched() -> None:
        for b in range(0, len(batch_rows), BATCH):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, batch_rows[b:b + BATCH])
            conn.execute("COMMIT")

    def read() -> None:
        for row in conn.execute("SELECT position, stream_id, data, metadata FROM events ORDER BY position"):
            _ = json.loads(row[2])["guid"]

    figures = Figures(_rate(appends, single), _rate(len(batch_rows), batched), 0.0)
    figures.read = _rate(appends + len(batch_rows), read)
    conn.close()
    return figures


def bench_raw_postgres(url: str, appends: int) -> Figures:
    open_store(url).close()
    conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=False)
    sql = INSERT.format(marks="%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s")
    single_rows = _rows(appends, 1)
    batch_rows = _rows(appends // 10 * BATCH, appends + 1)

    def single() -> None:
        for row in single_rows:
            conn.execute(sql, row)
            conn.commit()

    def batched() -> None:
        with conn.cursor() as cursor:
            for b in range(0, len(batch_rows), BATCH):
                cursor.executemany(sql, batch_rows[b:b + BATCH])
                conn.commit()

    def read() -> None:
        with conn.cursor() as cursor:
            cursor.execute("SELECT position, stream_id, data, metadata FROM events ORDER BY position")
            for row in cursor:
                _ = row[2]["guid"]

    figures = Figures(_rate(appends, single), _rate(len(batch_rows), batched), 0.0)
    figures.read = _rate(appends + len(batch_rows), read)
    conn.close()
    return figures


# --- running and printing -----------------------------------------------------------------------------


def _print(title: str, vigil: Figures, library: Figures, floor: Figures) -> None:
    print(f"\n{title}")
    print(f"  {'events/s':<22}{'Vigil':>12}{'eventsourcing':>15}{'raw driver':>13}{'Vigil/es':>10}{'Vigil/raw':>11}")
    for label, attr in (("1 event per append", "single"), (f"batches of {BATCH}", "batched"), ("read all", "read")):
        v, e, r = getattr(vigil, attr), getattr(library, attr), getattr(floor, attr)
        print(f"  {label:<22}{v:>12,.0f}{e:>15,.0f}{r:>13,.0f}{v / e:>9.2f}x{v / r:>10.0%}")


def run_sqlite(appends: int, synchronous: str) -> None:
    os.environ["VIGIL_SQLITE_SYNCHRONOUS"] = synchronous
    with tempfile.TemporaryDirectory() as folder:
        vigil = bench_vigil(str(Path(folder) / "vigil.db"), appends)
        library = bench_eventsourcing(eventsourcing_sqlite(str(Path(folder) / "es.db"), synchronous), appends)
        floor = bench_raw_sqlite(str(Path(folder) / "raw.db"), appends, synchronous)
    _print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous={synchronous}", vigil, library, floor)
    if synchronous == "FULL":
        print("  targets: one-event appends >= 3x eventsourcing, >= 50% of the raw floor; read-all >= 200,000/s")


def run_postgres(appends: int) -> None:
    reason = pg_unavailable_reason()
    if reason:
        print(f"\nPostgreSQL skipped: {reason}")
        return
    base = pg_base_url()
    schemas = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(3)]
    with psycopg.connect(base, autocommit=True) as admin:
        for schema in schemas:
            admin.execute(f"CREATE SCHEMA {schema}")
    try:
        url = lambda schema: f"{base}?options=-csearch_path%3D{schema}"  # noqa: E731
        vigil = bench_vigil(url(schemas[0]), appends)
        library = bench_eventsourcing(eventsourcing_postgres(schemas[1]), appends)
        floor = bench_raw_postgres(url(schemas[2]), appends)
        with psycopg.connect(base) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        _print(f"PostgreSQL {version}, synchronous_commit=on", vigil, library, floor)
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            for schema in schemas:
                admin.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--appends", type=int, default=2000, help="one-event appends (batched: appends/10 x 100)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    backends = args.backends.split(",")
    if "sqlite" in backends:
        run_sqlite(args.appends, "FULL")
        run_sqlite(args.appends, "NORMAL")
    if "postgresql" in backends:
        run_postgres(args.appends)


if __name__ == "__main__":
    main()
