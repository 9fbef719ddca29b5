"""Projection of source events: which entries each source has shown us, and each source's health."""

from __future__ import annotations

from sqlalchemy import Connection

from service.store.driver_sql import run
from service.store.hashing import timestamp_text
from service.store.records import RecordedEvent

TABLES = ("entries_seen", "source_status")

_ENSURE_SOURCE = "INSERT INTO source_status (source) VALUES (:source) ON CONFLICT (source) DO NOTHING"
_ENTRY_NEW = (
    "INSERT INTO entries_seen (source, guid, content_hash, first_position, last_position) "
    "VALUES (:source, :guid, :hash, :position, :position) "
    "ON CONFLICT (source, guid) DO UPDATE SET content_hash = excluded.content_hash, "
    "last_position = excluded.last_position"
)
_COUNT_ENTRY = "UPDATE source_status SET entries_seen = entries_seen + 1 WHERE source = :source"
_POLLED = (
    "UPDATE source_status SET last_polled_at = :at, last_success_at = :at, last_status = :status, "
    "problem = :problem, consecutive_failures = 0, next_poll = :next_poll, "
    "etag = :etag, last_modified = :last_modified WHERE source = :source"
)
_FAILED = (
    "UPDATE source_status SET last_polled_at = :at, last_error = :reason, last_error_at = :at, "
    "consecutive_failures = :failures, next_poll = :next_poll WHERE source = :source"
)


def project_sources(conn: Connection, event: RecordedEvent) -> None:
    """Keep ``entries_seen`` and ``source_status`` in step with the source streams."""
    data = event.data
    if event.type not in {"EntryObserved", "EntryRevised", "SourcePolled", "SourcePollFailed"}:
        return
    run(conn, _ENSURE_SOURCE, {"source": data["source"]})
    if event.type in {"EntryObserved", "EntryRevised"}:
        run(
            conn,
            _ENTRY_NEW,
            {
                "source": data["source"],
                "guid": data["guid"],
                "hash": data["content_hash"],
                "position": event.position,
            },
        )
        if event.type == "EntryObserved":
            run(conn, _COUNT_ENTRY, {"source": data["source"]})
    elif event.type == "SourcePolled":
        run(
            conn,
            _POLLED,
            {
                "source": data["source"],
                "at": timestamp_text(event.recorded_at),
                "status": data["status"],
                "problem": data.get("problem"),
                "next_poll": data.get("next_poll"),
                "etag": data.get("etag"),
                "last_modified": data.get("last_modified"),
            },
        )
    else:
        run(
            conn,
            _FAILED,
            {
                "source": data["source"],
                "at": timestamp_text(event.recorded_at),
                "reason": data["reason"],
                "failures": data["consecutive_failures"],
                "next_poll": data.get("next_poll"),
            },
        )
