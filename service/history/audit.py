"""Checking the projections against the log: replay into a scratch store and name the first difference.

Every projection table must be what a replay of the log makes of it. Someone who edits a projection row
(an item's state shown as anything they like) leaves the hash chain intact; only a rebuild exposes it. The
rebuild goes into a scratch store of the same backend (a temporary SQLite file, or a temporary PostgreSQL
schema), so the live tables are never touched and the daemon's appends are never held up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.history.replay import replay
from service.store.bootstrap import scratch_store
from service.store.errors import ScratchUnavailable
from service.store.projection import Projection
from service.store.recorder import EventStore

#: Columns whose values may hold a subscriber's secrets: a difference there is named, never shown.
_WITHHELD = {"url", "urls"}
_SHOWN_CHARS = 60
#: Appends landing while the check runs make the live tables and the rebuild differ; it is retried.
_ATTEMPTS = 3


@dataclass(frozen=True)
class ProjectionDifference:
    """The first row where a live projection table and a replay of the log disagree."""

    table: str
    description: str

    def __str__(self) -> str:
        return f"projection {self.table} differs from a replay of the log: {self.description}"


class NotCompared(Exception):
    """The comparison could not be made: events were appended during every attempt, or no scratch store
    could be made (a PostgreSQL user without CREATE on the database)."""


def projection_difference(store: EventStore, projections: Sequence[Projection]) -> ProjectionDifference | None:
    """The first difference between the live projection tables and a replay of the log, None if none.

    Raises NotCompared when the log grew during every attempt (a busy daemon) or no scratch store can be
    made; MalformedEvent (a StoreError) when an event cannot be folded.
    """
    tables = [table for projection in projections for table in projection.tables]
    for _ in range(_ATTEMPTS):
        before = store.last_position()
        try:
            with scratch_store(store) as scratch:
                replay(scratch, projections, source=store)
                rebuilt = {table: _rows(scratch, table) for table in tables}
        except ScratchUnavailable as error:
            raise NotCompared(str(error)) from None
        live = {table: _rows(store, table) for table in tables}
        if store.last_position() != before:
            continue
        for table in tables:
            difference = _first_difference(table, live[table], rebuilt[table])
            if difference:
                return difference
        return None
    raise NotCompared("events were appended during each comparison; run verify again when the log is quiet")


Rows = tuple[tuple[str, ...], list[tuple[object, ...]]]


def _rows(store: EventStore, table: str) -> Rows:
    with store.reading() as conn:
        result = conn.exec_driver_sql(f"SELECT * FROM {table}")  # noqa: S608 - our own table names
        columns = tuple(result.keys())
        return columns, sorted((tuple(row) for row in result), key=repr)


def _first_difference(table: str, live: Rows, rebuilt: Rows) -> ProjectionDifference | None:
    columns, live_rows = live
    _, rebuilt_rows = rebuilt
    if live_rows == rebuilt_rows:
        return None
    # Rows are paired by their first column (every projection's key, or the first part of it).
    replayed = {row[0]: row for row in rebuilt_rows}
    stored = {row[0]: row for row in live_rows}
    for row in live_rows:
        other = replayed.get(row[0])
        if other is None:
            return ProjectionDifference(table, f"row {_show(columns[0], row[0])} is not in the replay")
        if other != row:
            column = next(i for i, (a, b) in enumerate(zip(row, other, strict=True)) if a != b)
            name = columns[column]
            return ProjectionDifference(
                table,
                f"row {_show(columns[0], row[0])}, column {name}: stored {_show(name, row[column])}, "
                f"replayed {_show(name, other[column])}",
            )
    missing = next(row for row in rebuilt_rows if row[0] not in stored or stored[row[0]] != row)
    return ProjectionDifference(table, f"row {_show(columns[0], missing[0])} of the replay is not stored")


def _show(column: str, value: object) -> str:
    if column in _WITHHELD:
        return "(value withheld: it may hold a secret)"
    shown = repr(value)
    return shown if len(shown) <= _SHOWN_CHARS else f"{shown[:_SHOWN_CHARS - 1]}…"
