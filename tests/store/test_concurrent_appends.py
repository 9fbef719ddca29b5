"""Concurrent writers in separate processes, and a reader tailing the log while they write.

The reader must end with every event exactly once, in position order: no event that commits late may
be skipped (the failure mode of sequence-based positions on PostgreSQL).
"""

from __future__ import annotations

import multiprocessing
import time

from service.store import NewEvent
from service.store.bootstrap import open_store
from service.store.recorder import ANY_VERSION
from service.store.verify import verify_chain

WRITERS = 4
PER_WRITER = 2000


def _write(url: str, writer: int, per_writer: int) -> None:
    store = open_store(url, migrate=False)
    for i in range(per_writer):
        # Overlapping streams: every writer touches every stream.
        store.append(f"stream:{i % 7}", [NewEvent("EntryObserved", {"writer": writer, "i": i})], ANY_VERSION)
    store.close()


def _run(url: str, per_writer: int) -> None:
    store = open_store(url)
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write, args=(url, w, per_writer)) for w in range(WRITERS)]
    for process in writers:
        process.start()

    seen: list[int] = []
    keys: set[tuple[int, int]] = set()
    total = WRITERS * per_writer
    deadline = time.monotonic() + 240
    while len(seen) < total and time.monotonic() < deadline:
        for event in store.read_all(seen[-1] if seen else 0, batch_size=500):
            seen.append(event.position)
            keys.add((event.data["writer"], event.data["i"]))
    for process in writers:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert seen == list(range(1, total + 1))  # every position once, in order, none skipped
    assert len(keys) == total  # every event written is the one read
    for stream in range(7):
        versions = [e.stream_version for e in store.read_stream(f"stream:{stream}")]
        assert versions == list(range(1, len(versions) + 1))
    assert verify_chain(store.read_all(upcast=False)).ok
    store.close()


def test_four_writer_processes_and_a_tailing_reader_on_postgresql(pg_url: str) -> None:
    _run(pg_url, PER_WRITER)


def test_four_writer_processes_and_a_tailing_reader_on_sqlite(sqlite_url: str) -> None:
    _run(sqlite_url, PER_WRITER // 4)
