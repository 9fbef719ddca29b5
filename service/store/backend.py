"""The recorder's view of a storage backend: what differs between SQLite and PostgreSQL, and only that."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from service.store.hashing import GENESIS
from service.store.wakeup import AppendSignal, Listening

#: (the hash of the log's newest event, the stream id, the stream's version) an append was hashed on.
Guard = tuple[str, str, int]


class Backend(Protocol):
    """SQL dialect details behind one interface (compare the ``eventsourcing`` library's recorders)."""

    name: str
    mark: str  # the driver's parameter placeholder ("?" or "%s")
    keeps_nul: bool  # whether JSON text may hold U+0000 (an old log being imported may; PostgreSQL refuses it)
    # Whether ``append_rows`` itself tells other processes (then ``announce_append`` is needed only for
    # rows written another way, such as an import).
    announces_appends: bool
    # Whether reads run outside a transaction: on PostgreSQL a pooled read in one costs two round trips
    # more (psycopg's BEGIN, the pool's ROLLBACK) for nothing, as READ COMMITTED gives every statement
    # its own snapshot either way.
    autocommit_reads: bool

    def configure(self, engine: Engine) -> None:
        """Install connection hooks (pragmas, transaction begin behaviour) on a new engine."""

    def begin_append(self, driver: Any) -> object | None:
        """Begin a write transaction on the driver's connection holding the append lock, which serializes
        appenders so positions are assigned, hashed and committed in one order.

        Returns a value that stays the same, from one write transaction of this connection to the next,
        only while no other connection has written (SQLite's ``data_version``); None when the backend has
        none (PostgreSQL): then what the store remembers of the log's head is only a guess."""

    def announce_append(self, conn: Connection, position: int) -> None:
        """Inside an appending transaction, before its commit: tell other processes (PostgreSQL NOTIFY,
        delivered only on commit; nothing on SQLite, whose other processes wake on their timer)."""

    def listen(self, engine: Engine, signal: AppendSignal) -> Listening | None:
        """Start telling ``signal`` what other processes append (None where the backend cannot)."""

    @property
    def head_sql(self) -> str:
        """One row: the stream's max version (param: stream id), the last position and its hash."""

    @property
    def insert_sql(self) -> str:
        """The INSERT of one event row (JSON passed as canonical text), in the driver's paramstyle."""

    @staticmethod
    def append_rows(cursor: Any, rows: Sequence[Sequence[Any]], guard: Guard | None) -> bool:
        """Insert the rows of one append; with a ``guard``, only if the log's newest hash and the stream's
        version are still the guard's. Whether they were inserted (nothing is when not)."""

    @staticmethod
    def driver_sql(sql: str) -> str:
        """``sql`` written with ``:name`` parameters, in the form the driver takes."""

    @staticmethod
    def insert_many(cursor: Any, insert: str, types: Sequence[str], rows: Sequence[Sequence[Any]], tail: str) -> None:
        """``insert`` (``INSERT INTO t (a, b)``) of every row, then ``tail``, in as few round trips as the
        driver allows; ``types`` are the columns' PostgreSQL types."""

    def migration_lock(self, engine: Engine) -> AbstractContextManager[None]:
        """Held while migrations run, so that several processes started together take turns."""

    def scratch_database(self, engine: Engine) -> AbstractContextManager[str]:
        """The URL of an empty database of this kind beside ``engine``'s, removed when the block ends
        (ScratchUnavailable when none can be made)."""


INSERT_COLUMNS = (
    "position, stream_id, stream_version, event_type, schema_version, data, metadata, recorded_at, "
    "prev_hash, hash"
)


def stream_version_sql(mark: str) -> str:
    """The query of a stream's newest version (param: stream id), for a paramstyle."""
    # ORDER BY ... LIMIT 1, not MAX(): PostgreSQL caches a generic plan for a statement psycopg has
    # prepared, and the plan it makes for MAX() while the table is still small aggregates the stream's
    # whole index range. Without a fresh ANALYZE that plan stays, and every append then reads the entire
    # stream (measured: 8.6 ms instead of 0.07 ms at 27,000 events a stream, and growing). This form
    # plans as one backward index probe whatever the statistics say.
    return f"SELECT stream_version FROM events WHERE stream_id = {mark} ORDER BY stream_version DESC LIMIT 1"


def append_guard(mark: str) -> str:
    """The condition under which an append's rows go in: the chain's head and the stream's version are
    what the rows were hashed on (params: that head's hash, the stream id, its version)."""
    return (
        f"COALESCE((SELECT hash FROM events ORDER BY position DESC LIMIT 1), '{GENESIS}') = {mark} "
        f"AND COALESCE(({stream_version_sql(mark)}), 0) = {mark}"
    )


def head_sql(mark: str) -> str:
    """The stream-version-and-chain-head query, for a paramstyle."""
    return (
        f"SELECT ({stream_version_sql(mark)}), h.position, h.hash "
        "FROM (SELECT 1 AS one) AS one LEFT JOIN "
        "(SELECT position, hash FROM events ORDER BY position DESC LIMIT 1) AS h ON 1 = 1"
    )
