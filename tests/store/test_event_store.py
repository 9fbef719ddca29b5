"""The event store on every backend: appends, reads, optimistic concurrency, append-only, checkpoints."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import exc

from service.events.catalog import SourcePollFailed
from service.store import ConcurrencyError, NewEvent
from service.store.errors import UnstorableEvent
from service.store.recorder import ANY_VERSION, EventStore
from service.store.records import RecordedEvent
from service.store.verify import verify_chain


def _events(n: int, kind: str = "EntryObserved") -> list[NewEvent]:
    return [NewEvent(kind, {"n": i, "text": f"sentence {i}"}, {"correlation_id": "c-1"}) for i in range(n)]


def test_append_assigns_positions_and_stream_versions(store: EventStore) -> None:
    first = store.append("source:a", _events(2), expected_version=0)
    second = store.append("source:b", _events(1), expected_version=0)
    third = store.append("source:a", _events(1), expected_version=2)

    assert [e.position for e in first + second + third] == [1, 2, 3, 4]
    assert [e.stream_version for e in store.read_stream("source:a")] == [1, 2, 3]
    assert store.read_stream("source:a")[2].data == {"n": 0, "text": "sentence 0"}
    assert store.read_stream("source:a")[0].metadata == {"correlation_id": "c-1"}
    assert store.last_position() == 4
    assert store.stream_version("source:b") == 1
    assert store.stream_version("source:none") == 0


def test_an_event_holding_a_nul_character_is_refused_on_every_backend_and_nothing_is_written(
    store: EventStore,
) -> None:
    # PostgreSQL cannot keep U+0000 in JSON; SQLite refuses it too, so that its log stays movable.
    good = NewEvent("EntryObserved", {"text": "a quoted \\u0000 is only text"})
    with pytest.raises(UnstorableEvent, match=r"EntryObserved for stream 'source:a' holds a NUL character"):
        store.append("source:a", [good, NewEvent("EntryObserved", {"text": "talks\x00 resumed"})])
    with pytest.raises(UnstorableEvent):
        store.append("source:a", [NewEvent("EntryObserved", {"text": "x"}, {"source\x00": "a"})])
    assert store.last_position() == 0

    store.append("source:a", [good])
    assert store.read_stream("source:a")[0].data == {"text": "a quoted \\u0000 is only text"}


@pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
def test_an_event_holding_nan_or_an_infinity_is_refused_and_the_log_stays_readable(
    store: EventStore, number: float
) -> None:
    # JSON has no such number: SQLite kept the text "NaN" and every later read of the log failed on it.
    store.append("source:a", [NewEvent("EntryObserved", {"text": "before"})])
    with pytest.raises(UnstorableEvent, match=r"EntryObserved for stream 'source:a' holds NaN or an infinity"):
        store.append("source:a", [NewEvent("EntryObserved", {"text": "talks", "score": [1.5, number]})])
    with pytest.raises(UnstorableEvent):
        store.append("source:a", [NewEvent("EntryObserved", {"text": "x"}, {"weight": number})])
    assert [event.data["text"] for event in store.read_all()] == ["before"]
    store.append("source:a", [NewEvent("EntryObserved", {"text": "after", "score": 1.5})])
    assert [event.data for event in store.read_all()][-1] == {"text": "after", "score": 1.5}


def test_read_events_fetches_several_positions_at_once_leaving_out_absent_ones(store: EventStore) -> None:
    store.append("source:a", _events(4), expected_version=0)

    found = store.read_events([3, 1, 3, 99])

    assert sorted(found) == [1, 3]
    assert found[3].data == {"n": 2, "text": "sentence 2"} and found[3] == store.read_event(3)
    assert store.read_events([]) == {}


def test_stale_expected_version_raises_naming_stream_and_versions_and_writes_nothing(
    store: EventStore,
) -> None:
    store.append("item:ceasefire", _events(3), expected_version=0)

    with pytest.raises(ConcurrencyError) as caught:
        store.append("item:ceasefire", _events(5), expected_version=1)

    message = str(caught.value)
    assert "item:ceasefire" in message and "expected version 1" in message and "found 3" in message
    assert store.last_position() == 3
    assert len(store.read_stream("item:ceasefire")) == 3


def test_read_all_pages_in_position_order_from_any_position(store: EventStore) -> None:
    for i in range(25):
        store.append(f"source:{i % 4}", _events(10), expected_version=ANY_VERSION)

    positions = [e.position for e in store.read_all(0, batch_size=7)]
    assert positions == list(range(1, 251))
    assert [e.position for e in store.read_all(240, batch_size=3)] == list(range(241, 251))
    assert list(store.read_all(250)) == []


def test_read_all_filters_by_type(store: EventStore) -> None:
    store.append("s", _events(3, "EntryObserved") + _events(2, "SourcePolled"))
    assert [e.type for e in store.read_all(types=["SourcePolled"])] == ["SourcePolled", "SourcePolled"]


def test_raw_update_and_delete_are_refused_by_the_database(store: EventStore) -> None:
    store.append("s", _events(2))
    for statement in ("UPDATE events SET stream_id = 'x'", "DELETE FROM events"):
        with pytest.raises(exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert [e.stream_id for e in store.read_all()] == ["s", "s"]


def test_truncate_is_refused_on_postgresql(store: EventStore) -> None:
    if store.backend.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    store.append("s", _events(1))
    with pytest.raises(exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events")
    assert store.last_position() == 1


def test_every_append_extends_a_verifiable_hash_chain(store: EventStore) -> None:
    store.append("a", _events(3))
    store.append("b", _events(1))
    events = list(store.read_all(upcast=False))

    assert events[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    report = verify_chain(events)
    assert report.ok and report.checked == 4


def test_checkpoint_moves_with_the_events_of_its_transaction(store: EventStore) -> None:
    store.append("source:a", _events(3))
    with store.transaction() as tx:
        tx.append("item:x", [NewEvent("EvidenceFound", {"n": 1})])
        tx.advance_checkpoint("extractor", expected=0, to=3)
    assert store.checkpoint("extractor") == 3

    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.append("item:x", [NewEvent("EvidenceFound", {"n": 2})])
        tx.advance_checkpoint("extractor", expected=3, to=4)
        raise RuntimeError("crash before commit")
    assert store.checkpoint("extractor") == 3
    assert len(store.read_stream("item:x")) == 1


def test_a_checkpoint_moved_by_another_process_is_a_conflict(store: EventStore) -> None:
    with store.transaction() as tx:
        tx.advance_checkpoint("delivery", expected=0, to=5)
    with pytest.raises(ConcurrencyError, match="checkpoint:delivery"), store.transaction() as tx:
        tx.advance_checkpoint("delivery", expected=0, to=7)
    assert store.checkpoint("delivery") == 5


def test_a_checkpoint_moved_past_what_a_consumer_read_is_a_conflict(store: EventStore) -> None:
    with store.transaction() as tx:
        tx.advance_checkpoint("delivery", expected=0, to=5)
    with store.transaction() as tx:
        tx.advance_checkpoint("delivery", expected=5, to=9)
    with pytest.raises(ConcurrencyError, match="checkpoint:delivery"), store.transaction() as tx:
        tx.advance_checkpoint("delivery", expected=5, to=12)  # another daemon moved it to 9 meanwhile
    assert store.checkpoint("delivery") == 9


def test_moving_a_checkpoint_is_one_statement(store: EventStore) -> None:
    """It was a read and then a write, both under the append lock every other writer waits for (on PostgreSQL
    two round trips); the write is guarded now, and the checkpoint is read again only on a conflict."""
    with store.transaction() as tx:
        tx.advance_checkpoint("extractor", expected=0, to=3)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    with store.transaction() as tx:
        sa_event.listen(tx.connection, "before_cursor_execute", count)
        try:
            tx.advance_checkpoint("extractor", expected=3, to=4)
        finally:
            sa_event.remove(tx.connection, "before_cursor_execute", count)
    assert len(statements) == 1
    assert store.checkpoint("extractor") == 4


def test_projections_run_inside_the_appending_transaction(db_url: str) -> None:
    from service.store.bootstrap import open_store
    from service.store.projection import Projection

    seen: list[int] = []

    def project(_conn: object, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            seen.append(event.position)
            if event.data.get("boom"):
                raise ValueError("projection failed")

    store = open_store(db_url, projections=[Projection("seen", (), frozenset({"EntryObserved", "T"}), project)])
    try:
        store.append("s", [*_events(1), NewEvent("SourcePolled", {}), *_events(1)])
        with pytest.raises(ValueError):
            store.append("s", [NewEvent("T", {"boom": True})])
        assert seen == [1, 3, 4]  # given only the types it reads
        assert store.last_position() == 3  # the failing projection rolled its event back
    finally:
        store.close()


def test_an_old_schema_version_is_upcast_on_read(store: EventStore) -> None:
    # A v1 SourcePollFailed as an older Vigil wrote it: "error", no failure count.
    store.append(
        "source:kyiv",
        [NewEvent(SourcePollFailed.TYPE, {"source": "kyiv", "error": "HTTP 503"}, schema_version=1)],
    )
    store.append(
        "source:kyiv",
        [
            NewEvent(
                SourcePollFailed.TYPE,
                SourcePollFailed(source="kyiv", reason="timed out", consecutive_failures=2).to_data(),
            )
        ],
    )

    old, new = store.read_stream("source:kyiv")
    assert old.schema_version == 2 and new.schema_version == 2
    assert SourcePollFailed.from_data(old.data) == SourcePollFailed(
        source="kyiv", reason="HTTP 503", consecutive_failures=1
    )
    raw = list(store.read_all(upcast=False))[0]
    assert raw.schema_version == 1 and raw.data["error"] == "HTTP 503"
    assert verify_chain(store.read_all(upcast=False)).ok


def test_one_event_is_read_by_its_position(store: EventStore) -> None:
    store.append("a", _events(2))
    store.append("b", _events(1, "EvidenceFound"))
    event = store.read_event(3)
    assert event is not None and (event.stream_id, event.type, event.data["n"]) == ("b", "EvidenceFound", 0)
    assert store.read_event(3) == list(store.read_all())[2]
    assert store.read_event(4) is None and store.read_event(0) is None


def test_a_stream_read_can_keep_some_types_and_only_the_newest(store: EventStore) -> None:
    found, changed = _events(5, "EvidenceFound"), _events(1, "ItemStateChanged")
    store.append("item:x", [*found[:3], *changed, *found[3:]])
    every = store.read_stream("item:x")
    found = store.read_stream("item:x", types=["EvidenceFound"])
    assert [e.stream_version for e in found] == [1, 2, 3, 5, 6]
    assert found == [e for e in every if e.type == "EvidenceFound"]
    newest = store.read_stream("item:x", types=["EvidenceFound"], last=2)
    assert [e.stream_version for e in newest] == [5, 6]  # the newest two, still in stream order
    assert [e.stream_version for e in store.read_stream("item:x", last=10)] == [1, 2, 3, 4, 5, 6]
    assert store.read_stream("item:x", types=["AlertRaised"]) == []


def test_a_read_without_the_chain_gives_the_same_events_with_empty_hashes(store: EventStore) -> None:
    store.append("s", _events(3))
    full = [event for batch in store.read_batches(0, batch_size=2) for event in batch]
    light = [event for batch in store.read_batches(0, batch_size=2, chain=False) for event in batch]
    assert [e._replace(prev_hash="", hash="") for e in full] == light
    assert all(e.hash for e in full)


def test_a_read_without_metadata_gives_the_same_events_with_an_empty_read_only_metadata(store: EventStore) -> None:
    store.append("s", _events(3))
    full = [event for batch in store.read_batches(0, batch_size=2) for event in batch]
    light = [event for batch in store.read_batches(0, batch_size=2, chain=False, metadata=False) for event in batch]
    assert [e._replace(prev_hash="", hash="", metadata={}) for e in full] == [e._replace(metadata={}) for e in light]
    assert all(e.metadata == {"correlation_id": "c-1"} for e in full)
    assert all(e.metadata == {} for e in light)
    with pytest.raises(TypeError):
        light[0].metadata["x"] = 1  # type: ignore[index]  # shared by every event: it cannot be changed
