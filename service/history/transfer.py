"""Export and import of the whole log as JSON lines: a verifiable backup, and the way between backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from service.store.hashing import holds_nul, timestamp_text
from service.store.recorder import EventStore
from service.store.records import RecordedEvent
from service.store.verify import ChainReport, verify_chain

BATCH = 1000
#: The key of an export line that holds a sealed subscriber secret (``vigil export --with-secrets``), not an event.
SEALED_SECRET = "sealed_secret"


class ImportRefused(ValueError):
    """An import that would break the store; nothing was written."""


def event_line(event: RecordedEvent) -> str:
    """One stored event (exactly as stored, not upcast) as a JSON line."""
    return json.dumps({
        "position": event.position, "stream_id": event.stream_id, "stream_version": event.stream_version,
        "type": event.type, "schema_version": event.schema_version, "data": event.data,
        "metadata": event.metadata, "recorded_at": timestamp_text(event.recorded_at),
        "prev_hash": event.prev_hash, "hash": event.hash,
    }, ensure_ascii=False, sort_keys=True)


def export_events(store: EventStore, out: IO[str]) -> int:
    """Write every event to ``out``; return how many."""
    count = 0
    for event in store.read_all(0, batch_size=BATCH, upcast=False):
        out.write(event_line(event) + "\n")
        count += 1
    return count


def secret_line(ref: str, url: str) -> str:
    """One sealed subscriber secret as an export line (only ever written when asked for loudly)."""
    return json.dumps({SEALED_SECRET: {"ref": ref, "url": url}}, ensure_ascii=False)


def sealed_secrets(path: Path) -> list[tuple[str, str]]:
    """The sealed subscriber secrets an export file holds, as (ref, url)."""
    found = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if SEALED_SECRET in line:
                raw = json.loads(line)
                if isinstance(raw, dict) and SEALED_SECRET in raw:
                    found.append((str(raw[SEALED_SECRET]["ref"]), str(raw[SEALED_SECRET]["url"])))
    return found


def read_lines(path: Path, *, nul_allowed: bool = True) -> Iterator[RecordedEvent]:
    """The events of an export file, in file order; ValueError naming the line on a malformed one, and
    ImportRefused on an event holding a NUL character unless ``nul_allowed``."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            if not nul_allowed and holds_nul(line):
                # Only a log written before feeds' NUL characters were dropped can hold one (in SQLite).
                raise ImportRefused(
                    f"{path}:{number}: this event holds a NUL character (U+0000), which PostgreSQL cannot store; "
                    "nothing imported"
                )
            try:
                raw: dict[str, Any] = json.loads(line)
                if SEALED_SECRET in raw:
                    continue  # not an event: a secret exported beside the log
                yield RecordedEvent(
                    position=int(raw["position"]), stream_id=raw["stream_id"],
                    stream_version=int(raw["stream_version"]), type=raw["type"],
                    schema_version=int(raw["schema_version"]), data=raw["data"], metadata=raw["metadata"],
                    recorded_at=datetime.fromisoformat(raw["recorded_at"]), prev_hash=raw["prev_hash"],
                    hash=raw["hash"],
                )
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: not an exported event ({error})") from None


def _head(store: EventStore) -> tuple[int, str]:
    last = store.last_position()
    if not last:
        return 0, "0" * 64
    event = next(store.read_all(last - 1, batch_size=1, upcast=False))
    return event.position, event.hash


def check_import(store: EventStore, path: Path, *, append: bool) -> ChainReport:
    """Verify the file's chain (continuing the store's when appending) before anything is written."""
    position, head_hash = _head(store)
    if position and not append:
        raise ImportRefused(f"the store already holds {position} events; use --append to add after them")
    events = read_lines(path, nul_allowed=store.backend.keeps_nul)
    report = verify_chain(events, start_position=position + 1, start_hash=head_hash)
    if not report.ok:
        raise ImportRefused(f"{path}: chain broken at position {report.broken_at}: {report.reason}; nothing imported")
    return report


def import_events(store: EventStore, path: Path, *, append: bool = False) -> int:
    """Import an export file with its original positions, times and hashes; projections are applied."""
    report = check_import(store, path, append=append)
    with store.transaction() as tx:
        batch: list[RecordedEvent] = []
        for event in read_lines(path):
            batch.append(event)
            if len(batch) >= BATCH:
                tx.append_recorded(batch)
                batch = []
        tx.append_recorded(batch)
    return report.checked
