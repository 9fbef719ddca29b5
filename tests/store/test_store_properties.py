"""Property-based tests of the event store: random interleavings of appends (with right and wrong
expected versions), conflicts, rolled-back transactions and reads, from two store objects (two
connection pools, as two daemons would have), checked against a plain in-memory model.

One database per backend serves every example; each example works on streams of its own and counts
positions from where the log stood when it began.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from service.store import ConcurrencyError, NewEvent
from service.store.bootstrap import open_store
from service.store.errors import UnstorableEvent
from service.store.recorder import ANY_VERSION, EventStore
from service.store.verify import verify_chain
from tests.support.databases import pg_schema_url

# JSON values the store must give back exactly: text with any character but NUL and lone surrogates
# (controls, non-BMP and right-to-left included), integers a JSON reader keeps exact, nested lists and
# objects. PostgreSQL's JSONB cannot hold NUL at all (this test found it): the store refuses an event
# holding one on both backends, which the machine's ``append_holding_a_nul`` rule checks.
_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TEXT, children, max_size=3),
    max_leaves=8,
)
_DATA = st.dictionaries(_TEXT, _JSON, max_size=4)
_EVENTS = st.lists(
    st.tuples(st.sampled_from(["EntryObserved", "SourcePolled", "Custom"]), _DATA), min_size=1, max_size=3
)
_STREAMS = st.sampled_from(["source:a", "source:b", "item:c", "alert:ü d"])
# How an append states the version it expects, relative to the stream's real version.
_EXPECTATIONS = st.sampled_from(["right", "right", "any", "stale", "ahead", "new-on-existing"])

SETTINGS = settings(
    max_examples=40,
    stateful_step_count=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


class StoreModel(RuleBasedStateMachine):
    """The store against a model: streams are lists of (type, data); the log is their interleaving."""

    stores: tuple[EventStore, EventStore]

    def __init__(self) -> None:
        super().__init__()
        self.run = uuid.uuid4().hex[:8]
        self.streams: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        self.log: list[tuple[str, str, dict[str, Any]]] = []  # (stream, type, data) in position order
        self.base = 0

    @initialize()
    def note_where_the_log_starts(self) -> None:
        self.base = self.stores[0].last_position()

    def _stream(self, name: str) -> str:
        return f"{name}:{self.run}"

    @rule(writer=st.integers(0, 1), name=_STREAMS, events=_EVENTS, expectation=_EXPECTATIONS)
    def append(self, writer: int, name: str, events: list[tuple[str, dict[str, Any]]], expectation: str) -> None:
        stream = self._stream(name)
        version = len(self.streams.get(stream, []))
        expected = {
            "right": version,
            "any": ANY_VERSION,
            "stale": version - 1,
            "ahead": version + 1,
            "new-on-existing": 0,
        }[expectation]
        new = [NewEvent(kind, data) for kind, data in events]
        conflict = expected not in (ANY_VERSION, version)
        if conflict:
            with pytest.raises(ConcurrencyError) as caught:
                self.stores[writer].append(stream, new, expected_version=expected)
            assert (caught.value.expected, caught.value.actual) == (expected, version)
            return
        recorded = self.stores[writer].append(stream, new, expected_version=expected)
        start = self.base + len(self.log)
        assert [e.position for e in recorded] == list(range(start + 1, start + len(new) + 1))
        assert [e.stream_version for e in recorded] == list(range(version + 1, version + len(new) + 1))
        self.streams.setdefault(stream, []).extend(events)
        self.log.extend((stream, kind, data) for kind, data in events)

    @rule(writer=st.integers(0, 1), name=_STREAMS, events=_EVENTS, index=st.integers(0, 2), in_key=st.booleans())
    def append_holding_a_nul(
        self, writer: int, name: str, events: list[tuple[str, dict[str, Any]]], index: int, in_key: bool
    ) -> None:
        # One event of the batch holds a NUL, in a key or in a value: the whole batch is refused.
        poisoned = [NewEvent(kind, data) for kind, data in events]
        at = index % len(poisoned)
        extra = {"note\x00": 1} if in_key else {"note": "cease\x00fire"}
        poisoned[at] = NewEvent(poisoned[at].type, {**poisoned[at].data, **extra})
        with pytest.raises(UnstorableEvent):
            self.stores[writer].append(self._stream(name), poisoned, expected_version=ANY_VERSION)

    @rule(writer=st.integers(0, 1), first=_STREAMS, second=_STREAMS, events=_EVENTS)
    def transaction_with_a_conflict_writes_nothing(
        self, writer: int, first: str, second: str, events: list[tuple[str, dict[str, Any]]]
    ) -> None:
        # The first append is right, the second expects a version its stream never had: all or nothing.
        new = [NewEvent(kind, data) for kind, data in events]
        wrong = len(self.streams.get(self._stream(second), [])) + 5
        with pytest.raises(ConcurrencyError), self.stores[writer].transaction() as tx:
            tx.append(self._stream(first), new, expected_version=len(self.streams.get(self._stream(first), [])))
            tx.append(self._stream(second), new, expected_version=wrong)

    @rule(reader=st.integers(0, 1), name=_STREAMS, from_version=st.integers(1, 6))
    def read_stream(self, reader: int, name: str, from_version: int) -> None:
        stream = self._stream(name)
        found = self.stores[reader].read_stream(stream, from_version)
        expected = self.streams.get(stream, [])[from_version - 1 :]
        assert [(e.type, e.data) for e in found] == expected
        assert [e.stream_version for e in found] == list(range(from_version, from_version + len(expected)))
        assert self.stores[reader].stream_version(stream) == len(self.streams.get(stream, []))

    @precondition(lambda self: bool(self.log))
    @rule(reader=st.integers(0, 1), data=st.data())
    def read_all_after(self, reader: int, data: st.DataObject) -> None:
        skip = data.draw(st.integers(0, len(self.log)))
        batch = data.draw(st.integers(1, 4))
        found = list(self.stores[reader].read_all(self.base + skip, batch_size=batch))
        assert [(e.stream_id, e.type, e.data) for e in found] == self.log[skip:]

    @invariant()
    def last_position_matches(self) -> None:
        assert self.stores[0].last_position() == self.stores[1].last_position() == self.base + len(self.log)

    def teardown(self) -> None:
        report = verify_chain(self.stores[0].read_all(upcast=False))
        assert report.ok, report.reason


def _run_machine(url: str, chosen: settings = SETTINGS) -> None:
    stores = (open_store(url), open_store(url, migrate=False))
    machine = type("Machine", (StoreModel,), {"stores": stores})
    try:
        runner = machine.TestCase("runTest")
        runner.settings = chosen
        runner.runTest()
    finally:
        for store in stores:
            store.close()


def test_random_interleavings_match_the_model_on_sqlite(sqlite_url: str) -> None:
    _run_machine(sqlite_url)


@pytest.fixture
def pg_store_url(pg_available: None) -> Iterator[str]:
    """A fresh PostgreSQL schema for the machine."""
    with pg_schema_url() as url:
        yield url


@pytest.mark.postgres
def test_random_interleavings_match_the_model_on_postgresql(pg_store_url: str) -> None:
    _run_machine(pg_store_url, settings(SETTINGS, max_examples=20))  # each step is a round trip to the server
