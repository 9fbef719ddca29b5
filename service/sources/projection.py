"""Projection of source events: which entries each source has shown us, and each source's health.

Events are folded a batch at a time (one append live, thousands in a replay): each entry and each
source is written once per batch, whatever the number of events about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from service.store.driver_sql import insert_rows, run, run_many
from service.store.hashing import timestamp_text
from service.store.projection import Projection
from service.store.records import RecordedEvent

TABLES = ("entries_seen", "source_status")

_ENSURE_SOURCE = "INSERT INTO source_status (source) VALUES (:source) ON CONFLICT (source) DO NOTHING"
_ENTRY = "INSERT INTO entries_seen (source, guid, content_hash, first_position, last_position)"
_ENTRY_TYPES = ("text", "text", "text", "bigint", "bigint")
_ENTRY_SEEN_AGAIN = (
    "ON CONFLICT (source, guid) DO UPDATE SET content_hash = excluded.content_hash, "
    "last_position = excluded.last_position"
)


def project_sources(conn: Connection, events: Sequence[RecordedEvent]) -> None:
    """Keep ``entries_seen`` and ``source_status`` in step with the source streams."""
    entries: dict[tuple[str, str], list[Any]] = {}  # (source, guid) -> [source, guid, hash, first, last]
    observed: dict[str, int] = {}  # entries observed per source; every source of the batch has a key
    # Per source, the last SourcePolled and the last SourcePollFailed, in the order they last came: the
    # columns they set, applied in that order, are what every poll event of the batch would have left.
    polls: dict[str, dict[str, RecordedEvent]] = {}
    # One Python pass over the events: in a replay they are no longer in the CPU's caches, and a
    # column-at-a-time version (several C-level passes with map/zip) measured no faster.
    for event in events:
        kind, data = event.type, event.data
        source = data["source"]
        if kind == "EntryObserved" or kind == "EntryRevised":
            key = (source, data["guid"])
            row = entries.get(key)
            if row is None:
                entries[key] = [source, key[1], data["content_hash"], event.position, event.position]
            else:
                row[2], row[4] = data["content_hash"], event.position
            observed[source] = observed.get(source, 0) + (kind == "EntryObserved")
        else:
            observed.setdefault(source, 0)
            last = polls.setdefault(source, {})
            last.pop(kind, None)
            last[kind] = event
    run_many(conn, _ENSURE_SOURCE, [{"source": source} for source in observed])
    insert_rows(conn, _ENTRY, _ENTRY_TYPES, list(entries.values()), _ENTRY_SEEN_AGAIN)  # keys are distinct
    for source, added in observed.items():
        columns: dict[str, Any] = {}
        for event in polls.get(source, {}).values():
            columns.update(_status_columns(event))
        _update_status(conn, source, columns, added)


def _status_columns(event: RecordedEvent) -> dict[str, Any]:
    data, at = event.data, timestamp_text(event.recorded_at)
    if event.type == "SourcePolled":
        return {"last_polled_at": at, "last_success_at": at, "last_status": data["status"],
                "problem": data.get("problem"), "consecutive_failures": 0, "next_poll": data.get("next_poll"),
                "etag": data.get("etag"), "last_modified": data.get("last_modified"), "selector": data.get("selector")}
    return {"last_polled_at": at, "last_error": data["reason"], "last_error_at": at,
            "consecutive_failures": data["consecutive_failures"], "next_poll": data.get("next_poll")}


def _update_status(conn: Connection, source: str, columns: dict[str, Any], entries: int) -> None:
    # Column names come from _status_columns, never from the log, so building the SET list is safe.
    assignments = [f"{column} = :{column}" for column in columns]
    if entries:
        assignments.append("entries_seen = entries_seen + :added")
    if assignments:
        sql = f"UPDATE source_status SET {', '.join(assignments)} WHERE source = :source"
        run(conn, sql, {**columns, "added": entries, "source": source})


PROJECTION = Projection(
    "sources", TABLES, frozenset({"EntryObserved", "EntryRevised", "SourcePolled", "SourcePollFailed"}),
    project_sources,
)
