"""The recorder's view of a storage backend: what differs between SQLite and PostgreSQL, and only that."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from service.store.wakeup import AppendSignal, Listening


class Backend(Protocol):
    """SQL dialect details behind one interface (compare the ``eventsourcing`` library's recorders)."""

    name: str
    mark: str  # the driver's parameter placeholder ("?" or "%s")
    keeps_nul: bool  # whether JSON text may hold U+0000 (an old log being imported may; PostgreSQL refuses it)

    def configure(self, engine: Engine) -> None:
        """Install connection hooks (pragmas, transaction begin behaviour) on a new engine."""

    def lock_for_append(self, conn: Connection) -> None:
        """Serialize appenders so positions are assigned, hashed and committed in one order."""

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


#: The execution option that marks a connection's transaction as a write (SQLite begins it IMMEDIATE).
WRITE_OPTION = "vigil_write"


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


def head_sql(mark: str) -> str:
    """The stream-version-and-chain-head query, for a paramstyle."""
    return (
        f"SELECT ({stream_version_sql(mark)}), h.position, h.hash "
        "FROM (SELECT 1 AS one) AS one LEFT JOIN "
        "(SELECT position, hash FROM events ORDER BY position DESC LIMIT 1) AS h ON 1 = 1"
    )
