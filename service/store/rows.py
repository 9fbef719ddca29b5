"""Turning a page of stored rows into RecordedEvents: the hot path of every read of the log.

A page is decoded a column at a time with C-level iteration (``zip``, ``map``) rather than row by row in
Python: a replay reads millions of rows, and a per-row Python loop cost more than reading them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from itertools import repeat
from sys import intern
from types import MappingProxyType
from typing import Any

import orjson

from service.events.upcasting import Upcaster
from service.store.errors import MalformedEvent
from service.store.records import RecordedEvent

#: The metadata of events read without it (``read_batches(metadata=False)``): shared, so read-only.
UNREAD: Mapping[str, Any] = MappingProxyType({})

_RECORD = partial(tuple.__new__, RecordedEvent)  # the named tuple's own __new__ is a Python-level call


def to_records(rows: Sequence[Sequence[Any]], upcaster: Upcaster | None) -> list[RecordedEvent]:
    """RecordedEvents of ``rows`` (the ten columns of the events table, in order; ``metadata`` may be
    NULL). JSON columns arrive as text (SQLite) or already decoded (PostgreSQL's JSONB); the data of
    old schema versions is upcast unless ``upcaster`` is None (``vigil verify`` hashes what is stored).

    A row whose JSON does not decode raises MalformedEvent naming its position."""
    try:
        return _to_records(rows, upcaster)
    except orjson.JSONDecodeError:
        # The slow search happens only once a page has failed: the hot path pays nothing for it.
        raise _first_undecodable(rows) from None


def _first_undecodable(rows: Sequence[Sequence[Any]]) -> MalformedEvent:
    for row in rows:
        for column, value in (("data", row[5]), ("metadata", row[6])):
            if isinstance(value, str | bytes):
                try:
                    orjson.loads(value)
                except orjson.JSONDecodeError:
                    return MalformedEvent(int(row[0]), f"its {column} is not JSON")
    return MalformedEvent(int(rows[0][0]), "a page starting here does not decode")


def _to_records(rows: Sequence[Sequence[Any]], upcaster: Upcaster | None) -> list[RecordedEvent]:
    if not rows:
        return []
    positions, streams, versions, types, schemas, datas, metas, stamps, prevs, digests = zip(*rows, strict=True)
    # The driver makes a new string per cell. Interned, a page holds one string per event type instead of
    # one per event, and each type's hash is computed once for the projections' type lookups.
    types = tuple(map(intern, types))
    data_column: Iterable[Any] = _decoded(datas)
    if upcaster is not None and _any_old(upcaster, types, schemas):
        data_column, schemas = _upcast(upcaster, types, schemas, list(data_column))
    meta_column = repeat(UNREAD) if metas[0] is None else _decoded(metas)
    moments = {stamp: _moment(stamp) for stamp in set(stamps)}  # one append's events share one timestamp
    columns = zip(positions, streams, versions, types, schemas, data_column, meta_column,
                  map(moments.__getitem__, stamps), prevs, digests, strict=False)  # repeat() never ends
    return list(map(_RECORD, columns))


def _decoded(column: Sequence[Any]) -> Iterable[Any]:
    return map(orjson.loads, column) if isinstance(column[0], str | bytes) else column


def _moment(stamp: str | datetime) -> datetime:
    return stamp if isinstance(stamp, datetime) else datetime.fromisoformat(stamp)


def _any_old(upcaster: Upcaster, types: Sequence[str], schemas: Sequence[int]) -> bool:
    needs: Callable[[str, int], bool] = upcaster.needs
    return any(needs(kind, schema) for kind, schema in set(zip(types, schemas, strict=True)))


def _upcast(upcaster: Upcaster, types: Sequence[str], schemas: Sequence[int],
            datas: list[Any]) -> tuple[list[Any], list[int]]:
    upcast_schemas = list(schemas)
    for index, (kind, schema) in enumerate(zip(types, schemas, strict=True)):
        if upcaster.needs(kind, schema):
            datas[index], upcast_schemas[index] = upcaster.upcast(kind, schema, datas[index])
    return datas, upcast_schemas
