"""Consumers wake when events are appended: in the process at once, across processes on PostgreSQL
through LISTEN/NOTIFY, and on their timer when a notification is lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from service.pipeline.wake_loop import WakeLoop
from service.store import pg_listener
from service.store.bootstrap import open_store
from service.store.consumer import consume_all
from service.store.recorder import EventStore, Transaction
from service.store.records import NewEvent, RecordedEvent
from tests.support.receivers import poll

TIMER = 30.0  # a consumer's period: far longer than any wake-up the tests wait for
DEADLINE = 10.0


def _append(store: EventStore, n: int) -> int:
    return store.append("test:wake", [NewEvent("Pinged", {"n": n})])[-1].position


@contextmanager
def _consumer(store: EventStore, every: float) -> Iterator[list[int]]:
    """A checkpointed consumer of ``Pinged`` in a wake loop; yields the positions it has handled."""
    handled: list[int] = []

    def handle(_tx: Transaction, event: RecordedEvent) -> None:
        handled.append(event.position)

    loop = WakeLoop("test", store, lambda: consume_all(store, "test-consumer", ["Pinged"], handle), every).start()
    try:
        yield handled
    finally:
        loop.stop()


def test_an_append_wakes_a_waiter_in_the_same_process_before_its_timer(store: EventStore) -> None:
    before = store.last_position()
    woken: list[bool] = []
    waiter = threading.Thread(target=lambda: woken.append(store.wait_for_append(before, TIMER)))
    waiter.start()
    _append(store, 1)
    waiter.join(DEADLINE)
    assert woken == [True]  # woken by the append, not timed out (the thread would still be waiting)


def test_an_append_wakes_a_consumer_loop_in_the_same_process(store: EventStore) -> None:
    with _consumer(store, TIMER) as handled:
        position = _append(store, 1)
        poll(lambda: [handled], lambda seen: position in seen, DEADLINE, "the appended event handled")


def test_a_rolled_back_append_wakes_nobody(store: EventStore) -> None:
    before = store.last_position()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.append("test:wake", [NewEvent("Pinged", {"n": 1})])
        raise RuntimeError("abandon the transaction")
    assert store.wait_for_append(before, 0.05) is False


@pytest.mark.postgres
def test_an_append_by_another_store_wakes_a_waiter_through_notify(pg_url: str) -> None:
    writer, reader = open_store(pg_url), open_store(pg_url)
    try:
        before = writer.last_position()
        reader.wait_for_append(before, 0)  # starts the listener
        # The listener catches up with the head when it starts: wait until it listens, then append.
        poll(lambda: [_listeners(reader)], lambda n: n == 1, DEADLINE, "the listener connected")
        position = _append(writer, 1)
        assert reader.wait_for_append(position - 1, TIMER) is True
        with _consumer(reader, TIMER) as handled:
            position = _append(writer, 2)
            poll(lambda: [handled], lambda seen: position in seen, DEADLINE, "the other store's event handled")
    finally:
        writer.close()
        reader.close()


@pytest.mark.postgres
def test_another_stores_append_notifies_on_commit_only_with_its_last_position(pg_url: str) -> None:
    # The NOTIFY rides in the INSERT's own statement: it must still wait for the commit, and a transaction
    # of several appends must announce its last position.
    writer, reader = open_store(pg_url), open_store(pg_url)
    try:
        before = writer.last_position()
        reader.wait_for_append(before, 0)
        poll(lambda: [_listeners(reader)], lambda n: n == 1, DEADLINE, "the listener connected")
        with pytest.raises(RuntimeError), writer.transaction() as tx:
            tx.append("test:wake", [NewEvent("Pinged", {"n": 1})])
            raise RuntimeError("abandon the transaction")
        assert reader.wait_for_append(before, 0.5) is False
        with writer.transaction() as tx:
            tx.append("test:wake", [NewEvent("Pinged", {"n": 2})])
            last = tx.append("test:other", [NewEvent("Pinged", {"n": 3}), NewEvent("Pinged", {"n": 4})])[-1]
        assert reader.wait_for_append(last.position - 1, TIMER) is True
    finally:
        writer.close()
        reader.close()


@pytest.mark.postgres
def test_with_its_listener_killed_a_consumer_still_runs_on_its_timer(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pg_listener, "RECONNECT_SECONDS", 600.0)  # stays deaf for the whole test
    writer, reader = open_store(pg_url), open_store(pg_url)
    try:
        with _consumer(reader, every=1.0) as handled:
            poll(lambda: [_listeners(reader)], lambda n: n == 1, DEADLINE, "the listener connected")
            with reader.reading() as conn:
                conn.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                    (_listener_name(reader),),
                )
                conn.commit()
            poll(lambda: [_listeners(reader)], lambda n: n == 0, DEADLINE, "the listener gone")
            position = _append(writer, 1)
            poll(lambda: [handled], lambda seen: position in seen, DEADLINE, "the event handled on the timer")
            assert reader.wait_for_append(position - 1, 0) is False  # the notification itself was lost
    finally:
        writer.close()
        reader.close()


def _listener_name(store: EventStore) -> str:
    with store.reading() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    return f"vigil listener {schema}"


def _listeners(store: EventStore) -> int:
    with store.reading() as conn:
        return int(
            conn.exec_driver_sql(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = %s AND backend_type = 'client backend'",
                (_listener_name(store),),
            ).scalar()
            or 0
        )


def test_a_stopping_loop_ends_its_wait_at_once(store: EventStore) -> None:
    """Stopping a consumer loop ended its wait only at the next check (a quarter second), which every
    ``run --once`` would pay at its end; now the stop itself ends the wait."""
    before = store.last_position()
    woken: list[bool] = []
    waiter = threading.Thread(target=lambda: woken.append(store.wait_for_append(before, TIMER)))
    waiter.start()
    poll(lambda: [store.wakeups.signal.waiting], lambda waiting: waiting == 1, DEADLINE, "the waiter waiting")
    store.end_waits()
    waiter.join(DEADLINE)
    assert woken == [False]  # the wait ended without an append (it would still be waiting 30 s)


def test_a_consumer_pass_takes_one_pooled_connection(store: EventStore) -> None:
    """A pass read its checkpoint, then its events, then again both to find nothing: four connections from
    the pool, each a ping and a rollback on PostgreSQL, for a pass that handles three events. One now."""
    for n in range(3):
        _append(store, n)
    taken: list[object] = []

    def count(*_: object) -> None:
        taken.append(1)

    event.listen(store.engine, "checkout", count)
    try:
        handled = consume_all(store, "test-consumer", ["Pinged"], lambda _tx, _event: None)
    finally:
        event.remove(store.engine, "checkout", count)
    assert handled == 3
    assert len(taken) == 1


def test_a_loop_pass_reads_nothing_before_its_job(store: EventStore) -> None:
    """A loop read the log's newest position before every pass: a pooled connection (four round trips on
    PostgreSQL) a pass, a sixth of a loaded delivery thread's busy time. It now takes what this process
    knows was committed, and still wakes for every append."""
    _append(store, 0)  # the writer's own connection is taken once, by the first append
    passes: list[int] = []
    taken: list[object] = []
    event.listen(store.engine, "checkout", lambda *_: taken.append(1))
    loop = WakeLoop("test", store, lambda: passes.append(1), TIMER).start()
    try:
        for n in range(3):
            before = len(passes)
            _append(store, n + 1)
            poll(lambda: [len(passes)], lambda count, before=before: count > before, DEADLINE, "a pass after it")
    finally:
        loop.stop()
    assert taken == []


@pytest.mark.postgres
def test_reads_on_postgresql_run_outside_a_transaction(pg_url: str) -> None:
    """A pooled read began a transaction (psycopg's BEGIN) and ended it (the pool's ROLLBACK): two round trips
    of four. READ COMMITTED gives each statement its own snapshot either way."""
    store = open_store(pg_url)
    try:
        store.append("test:wake", [NewEvent("Pinged", {"n": 1})])
        with store.reading() as conn:
            conn.exec_driver_sql("SELECT 1").scalar()
            assert conn.connection.driver_connection.info.transaction_status.name == "IDLE"
        assert [e.data["n"] for e in store.read_stream("test:wake")] == [1]
        with store.transaction() as tx:  # the writer still begins and commits its own transactions
            tx.append("test:wake", [NewEvent("Pinged", {"n": 2})])
            assert tx.connection.connection.driver_connection.info.transaction_status.name == "INTRANS"
        assert [e.data["n"] for e in store.read_stream("test:wake")] == [1, 2]
    finally:
        store.close()
