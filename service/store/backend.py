"""The recorder's view of a storage backend: what differs between SQLite and PostgreSQL, and only that."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection, Engine


class Backend(Protocol):
    """SQL dialect details behind one interface (compare the ``eventsourcing`` library's recorders)."""

    name: str
    mark: str  # the driver's parameter placeholder ("?" or "%s")

    def configure(self, engine: Engine) -> None:
        """Install connection hooks (pragmas, transaction begin behaviour) on a new engine."""

    def lock_for_append(self, conn: Connection) -> None:
        """Serialize appenders so positions are assigned, hashed and committed in one order."""

    @property
    def head_sql(self) -> str:
        """One row: the stream's max version (param: stream id), the last position and its hash."""

    @property
    def insert_sql(self) -> str:
        """The INSERT of one event row (JSON passed as canonical text), in the driver's paramstyle."""


INSERT_COLUMNS = (
    "position, stream_id, stream_version, event_type, schema_version, data, metadata, recorded_at, "
    "prev_hash, hash"
)


def head_sql(mark: str) -> str:
    """The stream-version-and-chain-head query, for a paramstyle."""
    return (
        f"SELECT (SELECT MAX(stream_version) FROM events WHERE stream_id = {mark}), h.position, h.hash "
        "FROM (SELECT 1 AS one) AS one LEFT JOIN "
        "(SELECT position, hash FROM events ORDER BY position DESC LIMIT 1) AS h ON 1 = 1"
    )
