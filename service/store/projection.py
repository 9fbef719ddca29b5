"""The interface between the log and its read models: a projection names the event types it folds.

The store hands each projection only the events of its types, in log order, so a projection never
scans events it ignores: a replay batch is mostly entries, which three of the four projections skip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter

from sqlalchemy import Connection

from service.store.records import RecordedEvent

#: A fold: called with the events of each append (or each replay batch) that the projection reads, in
#: position order, inside the transaction that records them. Taking a batch lets it read and write each
#: row once per batch.
Projector = Callable[[Connection, Sequence[RecordedEvent]], None]

_TYPE = attrgetter("type")


@dataclass(frozen=True, slots=True)
class Projection:
    """A read model kept from the log: the tables it owns, the event types it reads and its fold."""

    name: str
    tables: tuple[str, ...]
    types: frozenset[str]
    fold: Projector

    def apply(self, conn: Connection, events: Sequence[RecordedEvent]) -> None:
        """Fold the events of ``events`` this projection reads; do nothing when there are none."""
        # C-level filtering: a replay passes every event of the log through four of these.
        mine = list(compress(events, map(self.types.__contains__, map(_TYPE, events))))
        if mine:
            self.fold(conn, mine)

    def clear(self, conn: Connection) -> None:
        """Empty this projection's tables (a replay folds the whole log into them again)."""
        for table in self.tables:
            conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - the projection's own table names


#: A table's column names, and its rows sorted (by their repr: columns may hold None beside values).
TableRows = tuple[tuple[str, ...], list[tuple[object, ...]]]


def table_rows(conn: Connection, table: str) -> TableRows:
    """Every row of a projection's ``table``, sorted: for comparing a rebuilt projection with the live one."""
    result = conn.exec_driver_sql(f"SELECT * FROM {table}")  # noqa: S608 - a projection's own table name
    return tuple(result.keys()), sorted((tuple(row) for row in result), key=repr)
