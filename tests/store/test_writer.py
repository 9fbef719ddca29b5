"""The store's kept write connection and its remembered chain head, against what they must never break.

Each store keeps one write connection and remembers the head and stream versions of its last commit, so
that an append need not read them. Another store (another daemon, a CLI command) writing in between must
not make it fork the chain, skip a position or miss a version conflict; a connection the server dropped
must be replaced as the pool's pre-ping used to; and a write transaction opened inside another on the same
thread must fail at once instead of waiting for itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from service.store import ConcurrencyError, EventStore, NewEvent
from service.store.bootstrap import open_store
from service.store.recorder import ANY_VERSION
from service.store.verify import verify_chain
from service.store.writer import NestedWrite
from tests.support.databases import pg_base_url


@pytest.fixture
def two_stores(db_url: str) -> Iterator[tuple[EventStore, EventStore]]:
    first, second = open_store(db_url), open_store(db_url)
    yield first, second
    first.close()
    second.close()


def _event(n: int) -> NewEvent:
    return NewEvent("EntryObserved", {"n": n})


def test_two_stores_taking_turns_keep_one_chain_and_every_version(two_stores: tuple[EventStore, EventStore]) -> None:
    first, second = two_stores
    for n in range(12):
        writer = first if n % 3 else second  # runs of two on one store, then one on the other
        writer.append(f"stream:{n % 2}", [_event(n), _event(n + 100)], ANY_VERSION)
    events = list(first.read_all(upcast=False))
    assert [e.position for e in events] == list(range(1, 25))
    assert verify_chain(events).ok
    for stream in ("stream:0", "stream:1"):
        assert [e.stream_version for e in first.read_stream(stream)] == list(range(1, 13))


def test_a_version_conflict_is_caught_though_this_store_remembers_an_older_version(
    two_stores: tuple[EventStore, EventStore],
) -> None:
    first, second = two_stores
    first.append("config", [_event(1)], expected_version=0)  # first remembers version 1
    second.append("config", [_event(2)], expected_version=1)  # now 2, behind first's back
    with pytest.raises(ConcurrencyError, match="expected version 1, found 2"):
        first.append("config", [_event(3)], expected_version=1)
    with pytest.raises(ConcurrencyError, match="expected version 5, found 2"):
        first.append("config", [_event(3)], expected_version=5)  # ahead of the stream: no gap either
    first.append("config", [_event(3)], expected_version=2)
    assert [e.stream_version for e in first.read_stream("config")] == [1, 2, 3]
    assert verify_chain(first.read_all(upcast=False)).ok


def test_a_write_transaction_inside_another_on_the_same_thread_fails_at_once(store: EventStore) -> None:
    with store.transaction() as tx:
        tx.append("a", [_event(1)])
        with pytest.raises(NestedWrite), store.transaction():
            pass  # the old code waited for its own lock: 30 s on SQLite, forever on PostgreSQL
    assert store.last_position() == 1  # the outer transaction still committed
    store.append("a", [_event(2)])
    assert store.last_position() == 2


def test_a_failed_transaction_leaves_the_next_append_on_the_committed_head(store: EventStore) -> None:
    store.append("a", [_event(1)])
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.append("a", [_event(2)])
        raise RuntimeError("the consumer failed after appending")
    store.append("a", [_event(3)], expected_version=1)
    events = list(store.read_all(upcast=False))
    assert [e.data["n"] for e in events] == [1, 3]
    assert verify_chain(events).ok


@pytest.mark.postgres
def test_a_write_connection_the_server_dropped_is_replaced(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        with store.transaction() as tx:
            tx.append("a", [_event(1)])
            pid = tx.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with psycopg.connect(pg_base_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        store.append("a", [_event(2)], expected_version=1)  # the pool's pre-ping used to hide this
        assert [e.data["n"] for e in store.read_stream("a")] == [1, 2]
    finally:
        store.close()


def test_a_consumer_waiting_to_write_goes_before_polls_that_waited_longer(store: EventStore) -> None:
    """Polls write in the background: under load a delivery queued behind them waited up to 400 ms."""
    turns = store._writer._turns  # noqa: SLF001 - the only way to know a thread is queued, not just started
    order: list[str] = []

    def write(name: str, background: bool) -> None:
        with store.transaction(background=background) as tx:
            tx.append(name, [_event(0)])
            order.append(name)

    with store.transaction() as tx:
        tx.append("held", [_event(0)])
        polls = [threading.Thread(target=write, args=(f"poll:{n}", True)) for n in range(3)]
        for thread in polls:
            thread.start()
        _until(lambda: turns.waiting == (0, 3))
        delivery = threading.Thread(target=write, args=("delivery", False))
        delivery.start()
        _until(lambda: turns.waiting == (1, 3))
    for thread in [*polls, delivery]:
        thread.join(10)
    assert order[0] == "delivery"
    assert sorted(order[1:]) == ["poll:0", "poll:1", "poll:2"]
    assert [e.stream_id for e in store.read_all(upcast=False)][:2] == ["held", "delivery"]


def _until(condition: Callable[[], bool], deadline: float = 10.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, "the writers never queued"
        time.sleep(0.005)
