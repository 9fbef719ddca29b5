"""The event store: append to a stream with an expected version, read a stream, read everything in order.

Writes happen in a ``Transaction`` that holds the append lock (see the backends), so a consumer can
append what it derived, advance its checkpoint and update projections atomically. Projections are
``Projection`` values (service/store/projection.py), each given the events of its types inside the same
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from service.events.upcasting import Upcaster, default_upcaster
from service.store.backend import Backend, stream_version_sql
from service.store.chain_head import Appending, Head
from service.store.errors import HOLDS_NAN, ConcurrencyError, UnstorableEvent
from service.store.hashing import GENESIS, NonFiniteNumber, canonical_json, holds_nul, link_hash, timestamp_text
from service.store.projection import Projection
from service.store.records import NewEvent, RecordedEvent
from service.store.rows import to_records
from service.store.wakeup import AppendWakeups
from service.store.writer import Writer

_SELECT = (
    "SELECT position, stream_id, stream_version, event_type, schema_version, data, metadata, "
    "recorded_at, prev_hash, hash FROM events"
)
ANY_VERSION = -1


class EventStore:
    """Append-only event log over SQLAlchemy Core, with one recorder interface for every backend."""

    def __init__(
        self,
        engine: Engine,
        backend: Backend,
        *,
        projections: Sequence[Projection] = (),
        upcaster: Upcaster | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.backend = backend
        # Reads and writes share the pool; reads check a connection out in autocommit where the backend
        # saves round trips so (the writer keeps a connection of its own and begins its transactions).
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT") if backend.autocommit_reads \
            else engine
        self.projections = list(projections)
        self.upcaster = upcaster or default_upcaster()
        self.clock = clock or (lambda: datetime.now(UTC))
        self._writer = Writer(engine, backend)
        self.wakeups = AppendWakeups(lambda signal: backend.listen(engine, signal))

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reading projection tables through their owners' reader modules.

        Events are read with the ``read_*`` methods; nothing is written on this connection (writes go
        through ``transaction``), so no module outside the store needs the engine itself.
        """
        with self._reads.connect() as conn:
            yield conn

    @property
    def url(self) -> URL:
        """The database's URL (for a scratch store beside it; never printed: it may hold a password)."""
        return self.engine.url

    def close(self) -> None:
        """Close every pooled connection (and the append listener); the store is not used afterwards."""
        self.wakeups.close()
        self._writer.close()
        self.engine.dispose()

    # --- writing -----------------------------------------------------------------------------------

    @contextmanager
    def transaction(self, *, background: bool = False) -> Iterator[Transaction]:
        """A write transaction holding the append lock; commits on exit, rolls back on error.

        A ``background`` transaction (a poll's) lets any foreground one waiting in this process go first:
        what consumers write is what users wait for (service/store/write_turns.py).
        Raises NestedWrite when this thread already has one open (it would wait for itself)."""
        with self._writer.transaction(background=background) as (conn, driver, appending):
            tx = Transaction(self, conn, appending, driver)
            yield tx
            if tx.appended_upto > tx.announced_upto:  # other processes: on commit
                self.backend.announce_append(conn, tx.appended_upto)
        if tx.appended_upto:
            self.wakeups.committed(tx.appended_upto)  # this process: now that readers can see it

    def wait_for_append(self, after: int, timeout: float) -> bool:
        """Wait until an event after position ``after`` is committed (True) or ``timeout`` seconds pass
        (False): how a consumer sleeps between passes without polling the database.

        Appends of this process wake waiters at once; on PostgreSQL so do other processes' (LISTEN/NOTIFY,
        a listener connection the first call opens); on SQLite other processes' appends are seen only when
        ``timeout`` runs out. Wake-ups are hints: a caller reads the log afterwards, and the timeout bounds
        the delay of a lost one.
        """
        return self.wakeups.wait(after, timeout)

    def known_position(self) -> int:
        """The newest position this process knows committed, without reading the database: its own
        appends and, on PostgreSQL once a consumer waits, other processes' (0 before any). What a consumer
        takes as "seen" before a pass, to wait afterwards for anything newer (``wait_for_append``)."""
        return self.wakeups.signal.newest

    def end_waits(self) -> None:
        """End every ``wait_for_append`` of this process now (it returns False): a consumer that is
        stopping need not wait out its timeout."""
        self.wakeups.signal.nudge()

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int = ANY_VERSION
    ) -> list[RecordedEvent]:
        """Append ``events`` to ``stream_id`` in one transaction (see ``Transaction.append``)."""
        with self.transaction() as tx:
            return tx.append(stream_id, events, expected_version)

    # --- reading -----------------------------------------------------------------------------------

    def read_stream(
        self,
        stream_id: str,
        from_version: int = 1,
        *,
        types: Sequence[str] | None = None,
        last: int | None = None,
        before_version: int | None = None,
    ) -> list[RecordedEvent]:
        """Every event of one stream from ``from_version`` (and before ``before_version``), in stream order.

        ``types`` keeps those event types (filtered in SQL, so the others are never decoded); ``last``
        keeps only the newest ``last`` of what remains (a page showing recent evidence of a long story;
        ``before_version`` is the cursor of the page before it).
        """
        mark = self.backend.mark
        sql = f"{_SELECT} WHERE stream_id = {mark} AND stream_version >= {mark}"
        params: tuple[Any, ...] = (stream_id, from_version)
        if before_version is not None:
            sql += f" AND stream_version < {mark}"
            params += (before_version,)
        sql += _type_filter(mark, types)
        params += tuple(types or ())
        if last is None:
            sql += " ORDER BY stream_version"
        else:
            sql += f" ORDER BY stream_version DESC LIMIT {mark}"
            params = (*params, last)
        with self._reads.connect() as conn:
            rows = conn.exec_driver_sql(sql, params).fetchall()
        if last is not None:
            rows.reverse()
        return self._to_records(rows, upcast=True)

    def read_all(
        self,
        after: int = 0,
        *,
        batch_size: int = 1000,
        types: Sequence[str] | None = None,
        upcast: bool = True,
    ) -> Iterator[RecordedEvent]:
        """Every event with position > ``after``, in position order, fetched in keyset-paged batches.

        Memory stays constant however long the log is: each batch is a fresh query from the last
        position seen. ``types`` restricts to those event types (filtered in SQL); ``upcast=False``
        yields events exactly as stored (``vigil verify`` hashes those).
        """
        for batch in self.read_batches(after, batch_size=batch_size, types=types, upcast=upcast):
            yield from batch

    def read_batches(
        self,
        after: int = 0,
        *,
        batch_size: int = 1000,
        types: Sequence[str] | None = None,
        upcast: bool = True,
        chain: bool = True,
        metadata: bool = True,
    ) -> Iterator[list[RecordedEvent]]:
        """The events of ``read_all``, a list of at most ``batch_size`` at a time (what a replay folds).

        ``chain=False`` leaves each event's ``prev_hash`` and ``hash`` empty, for readers that never look
        at them (a replay's projections): the two 64-character columns are a quarter of a row's read cost.
        ``metadata=False`` leaves every event's ``metadata`` an empty read-only mapping, for the same readers:
        decoding it costs as much as decoding a small event's data.
        """
        mark = self.backend.mark
        type_filter = _type_filter(mark, types)
        select = _SELECT if chain else _SELECT.replace("prev_hash, hash", "'' AS prev_hash, '' AS hash")
        if not metadata:
            select = select.replace("data, metadata,", "data, NULL AS metadata,")
        sql = f"{select} WHERE position > {mark}{type_filter} ORDER BY position LIMIT {mark}"
        position = after
        while True:
            with self._reads.connect() as conn:
                # The DB-API cursor returns plain tuples: SQLAlchemy's Row objects cost more than the read.
                cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                cursor.execute(sql, (position, *(types or ()), batch_size))
                rows = cursor.fetchall()
                cursor.close()
            if rows:
                yield self._to_records(rows, upcast)
            if len(rows) < batch_size:
                return
            position = rows[-1][0]

    def count_events(self, after: int, types: Sequence[str], upto: int | None = None) -> int:
        """How many events of ``types`` lie after position ``after`` (and up to ``upto``)."""
        return sum(count for _, _, count in self.count_by_type_and_stream(after, types, upto, by_stream=False))

    def count_by_type_and_stream(
        self, after: int, types: Sequence[str], upto: int | None = None, *, by_stream: bool = True
    ) -> list[tuple[str, str, int]]:
        """(event type, stream, count) of the events of ``types`` in (``after``, ``upto``]; the stream is ""
        when ``by_stream`` is False."""
        if not types:
            return []
        mark = self.backend.mark
        stream = "stream_id" if by_stream else "''"
        sql = f"SELECT event_type, {stream}, COUNT(*) FROM events WHERE position > {mark}"
        params: tuple[Any, ...] = (after,)
        if upto is not None:
            sql += f" AND position <= {mark}"
            params += (upto,)
        sql += f"{_type_filter(mark, types)} GROUP BY event_type" + (", stream_id" if by_stream else "")
        with self._reads.connect() as conn:
            rows = conn.exec_driver_sql(sql, (*params, *types)).fetchall()
        return [(str(kind), str(stream_id), int(count)) for kind, stream_id, count in rows]

    def read_event(self, position: int) -> RecordedEvent | None:
        """The event at ``position``, upcast; None when there is none."""
        return self.read_events([position]).get(position)

    def read_events(self, positions: Iterable[int]) -> dict[int, RecordedEvent]:
        """The events at ``positions``, upcast, by position, in one query (absent positions are left out)."""
        wanted = sorted(set(positions))
        if not wanted:
            return {}
        marks = ", ".join([self.backend.mark] * len(wanted))
        with self._reads.connect() as conn:
            rows = conn.exec_driver_sql(f"{_SELECT} WHERE position IN ({marks})", tuple(wanted)).fetchall()
        return {event.position: event for event in self._to_records(rows, upcast=True)}

    def last_position(self) -> int:
        """The position of the newest event (0 for an empty store)."""
        with self._reads.connect() as conn:
            value = conn.exec_driver_sql("SELECT MAX(position) FROM events").scalar()
        return int(value or 0)

    def stream_version(self, stream_id: str) -> int:
        """The version of the newest event of a stream (0 when it has none)."""
        with self._reads.connect() as conn:
            return _stream_version(conn, self.backend.mark, stream_id)

    def checkpoint(self, consumer: str) -> int:
        """The last position ``consumer`` has processed (0 if it never ran)."""
        with self._reads.connect() as conn:
            return _checkpoint(conn, self.backend.mark, consumer)

    def read_after_checkpoint(
        self, consumer: str, types: Sequence[str], limit: int
    ) -> tuple[int, list[RecordedEvent]]:
        """``consumer``'s checkpoint and the first ``limit`` events of ``types`` after it, upcast: what a
        consumer's pass reads, on one connection (on PostgreSQL each connection taken from the pool costs
        a ping and a rollback: two round trips more than the statements)."""
        mark = self.backend.mark
        sql = f"{_SELECT} WHERE position > {mark}{_type_filter(mark, types)} ORDER BY position LIMIT {mark}"
        with self._reads.connect() as conn:
            start = _checkpoint(conn, mark, consumer)
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(sql, (start, *types, limit))
            rows = cursor.fetchall()
            cursor.close()
        return start, self._to_records(rows, upcast=True) if rows else []

    # --- helpers -----------------------------------------------------------------------------------

    def checkpoints(self) -> dict[str, int]:
        """Every consumer's checkpoint, by consumer name."""
        with self._reads.connect() as conn:
            rows = conn.exec_driver_sql("SELECT consumer, position FROM checkpoints ORDER BY consumer").fetchall()
        return {str(consumer): int(position) for consumer, position in rows}

    def upcast(self, event: RecordedEvent) -> RecordedEvent:
        """The event with its data in the current shape of its type."""
        if not self.upcaster.needs(event.type, event.schema_version):
            return event
        data, version = self.upcaster.upcast(event.type, event.schema_version, event.data)
        return event._replace(data=data, schema_version=version)

    def _to_records(self, rows: Sequence[Any], upcast: bool) -> list[RecordedEvent]:
        return to_records(rows, self.upcaster if upcast else None)


class Transaction:
    """One write transaction: appends, checkpoint moves and projection updates commit together."""

    def __init__(self, store: EventStore, conn: Connection, appending: Appending, driver: Any) -> None:
        self.store = store
        self.connection = conn
        self._driver = driver  # ``conn``'s driver connection (the writer keeps it at hand)
        self._dbapi_cursor: Any = None
        self._appending = appending
        self.appended_upto = 0  # the last position this transaction appended (0: none), for wake-ups
        self.announced_upto = 0  # ... and of those, the last its INSERT already announced to other processes

    def _cursor(self) -> Any:
        if self._dbapi_cursor is None:
            self._dbapi_cursor = self._driver.cursor()
        return self._dbapi_cursor

    def append(
        self, stream_id: str, events: Sequence[NewEvent], expected_version: int = ANY_VERSION
    ) -> list[RecordedEvent]:
        """Append ``events`` to ``stream_id``; ``expected_version`` is the stream's current version
        (0 for a new stream, ``ANY_VERSION`` to skip the check). Raises ConcurrencyError, or UnstorableEvent for
        an event holding a NUL character, writing nothing."""
        if not events:
            return []
        encoded = self._encoded(stream_id, events)
        recorded_at = self.store.clock()
        stamp = timestamp_text(recorded_at)
        # What the last commit left is the table's truth when the database says nobody else wrote since, and
        # the rows go in as they are; otherwise it is a guess the INSERT checks: right, the append is still
        # one statement; wrong, nothing is inserted, and the head is read and the append tried again.
        state = self._appending
        version, exact = state.version(stream_id)
        if exact and expected_version not in (ANY_VERSION, version):
            raise ConcurrencyError(stream_id, expected_version, version)
        if not exact and expected_version != ANY_VERSION:
            version = expected_version
        exact = exact and state.exact
        head = state.head
        while True:
            if head is None or version is None:
                version, head = self._read_head(stream_id)
                if expected_version not in (ANY_VERSION, version):
                    raise ConcurrencyError(stream_id, expected_version, version)
                exact = True
            rows, records = _rows(stream_id, encoded, head, version, stamp, recorded_at)
            guard = None if exact else (head.hash, stream_id, version)
            if self.store.backend.append_rows(self._cursor(), rows, guard):
                break
            head = None
        state.head = Head(records[-1].position, records[-1].hash)
        state.versions[stream_id] = records[-1].stream_version
        for projection in self.store.projections:
            projection.apply(self.connection, records)
        self.appended_upto = records[-1].position
        if self.store.backend.announces_appends:
            self.announced_upto = self.appended_upto
        return records

    def _encoded(self, stream_id: str, events: Sequence[NewEvent]) -> list[tuple[NewEvent, int, str, str]]:
        """Each event with its schema version and its data and metadata as canonical JSON: computed once,
        stored as they are and hashed as they are."""
        current_version = self.store.upcaster.current_version
        encoded = []
        for event in events:
            try:
                data_json = canonical_json(event.data)
                metadata_json = canonical_json(event.metadata)
            except NonFiniteNumber:
                raise UnstorableEvent(stream_id, event.type, HOLDS_NAN) from None
            if holds_nul(data_json) or holds_nul(metadata_json):
                raise UnstorableEvent(stream_id, event.type)
            encoded.append((event, event.schema_version or current_version(event.type), data_json, metadata_json))
        return encoded

    def _read_head(self, stream_id: str) -> tuple[int, Head]:
        """The stream's version and the chain's head, as the table holds them, in one statement."""
        cursor = self._cursor()
        cursor.execute(self.store.backend.head_sql, (stream_id,))
        version, position, digest = cursor.fetchone()
        return int(version or 0), Head(int(position), digest) if position else Head(0, GENESIS)

    def append_recorded(self, events: Sequence[RecordedEvent]) -> None:
        """Write events recorded elsewhere (an export being imported) with their own positions, times and
        hashes, and apply the projections to them: the store's one other way into ``events``.

        The caller has verified that they continue this store's chain (``verify_chain``); the store's
        unique positions refuse any overlap, and the database's triggers any replacement.
        """
        if not events:
            return
        rows = [(e.position, e.stream_id, e.stream_version, e.type, e.schema_version, canonical_json(e.data),
                 canonical_json(e.metadata), timestamp_text(e.recorded_at), e.prev_hash, e.hash) for e in events]
        self._cursor().executemany(self.store.backend.insert_sql, rows)
        self._appending.imported = True
        self.appended_upto = max(self.appended_upto, events[-1].position)
        upcast = [self.store.upcast(event) for event in events]
        for projection in self.store.projections:
            projection.apply(self.connection, upcast)

    def checkpoint(self, consumer: str) -> int:
        """The consumer's checkpoint as this transaction sees it."""
        return _checkpoint(self.connection, self.store.backend.mark, consumer)

    def advance_checkpoint(self, consumer: str, expected: int, to: int) -> None:
        """Move ``consumer``'s checkpoint from ``expected`` to ``to``; ConcurrencyError if another
        process moved it first (two daemons on one database never both process the same events)."""
        conn, mark = self.connection, self.store.backend.mark
        stamp = timestamp_text(self.store.clock())
        # One guarded statement, not a read and then a write: it runs under the append lock that every other
        # writer waits for (on PostgreSQL a round trip is a while). It changes a row only if the checkpoint is
        # still ``expected``; a consumer never seen before has no row, which counts as 0.
        if expected == 0:
            moved = conn.exec_driver_sql(
                f"INSERT INTO checkpoints (consumer, position, updated_at) VALUES ({mark}, {mark}, {mark}) "
                "ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, "
                "updated_at = excluded.updated_at WHERE checkpoints.position = 0",
                (consumer, to, stamp),
            ).rowcount
        else:
            moved = conn.exec_driver_sql(
                f"UPDATE checkpoints SET position = {mark}, updated_at = {mark} WHERE consumer = {mark} "
                f"AND position = {mark}",
                (to, stamp, consumer, expected),
            ).rowcount
        if moved != 1:
            raise ConcurrencyError(f"checkpoint:{consumer}", expected, _checkpoint(conn, mark, consumer))


def _type_filter(mark: str, types: Sequence[str] | None) -> str:
    """The ``AND event_type IN (...)`` clause for ``types`` (nothing when None or empty)."""
    return f" AND event_type IN ({', '.join([mark] * len(types))})" if types else ""


def _stream_version(conn: Connection, mark: str, stream_id: str) -> int:
    value = conn.exec_driver_sql(stream_version_sql(mark), (stream_id,)).scalar()
    return int(value or 0)


def _checkpoint(conn: Connection, mark: str, consumer: str) -> int:
    value = conn.exec_driver_sql(
        f"SELECT position FROM checkpoints WHERE consumer = {mark}", (consumer,)
    ).scalar()
    return int(value or 0)


def _rows(
    stream_id: str, encoded: Sequence[tuple[NewEvent, int, str, str]], head: Head, version: int, stamp: str,
    recorded_at: datetime,
) -> tuple[list[tuple[Any, ...]], list[RecordedEvent]]:
    """The stored rows and the recorded events of one append, chained onto ``head``."""
    rows: list[tuple[Any, ...]] = []
    records: list[RecordedEvent] = []
    position, prev_hash = head.position, head.hash
    for event, schema_version, data_json, metadata_json in encoded:
        position += 1
        version += 1
        digest = link_hash(prev_hash, position, stream_id, version, event.type, schema_version, data_json,
                           metadata_json, stamp)
        rows.append((position, stream_id, version, event.type, schema_version, data_json, metadata_json, stamp,
                     prev_hash, digest))
        records.append(RecordedEvent(position, stream_id, version, event.type, schema_version, event.data,
                                     event.metadata, recorded_at, prev_hash, digest))
        prev_hash = digest
    return rows, records
