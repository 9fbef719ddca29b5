"""Walking the hash chain: the first event whose link or hash does not hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from service.store.hashing import GENESIS, canonical_json, chain_hash, timestamp_text
from service.store.records import RecordedEvent


@dataclass(frozen=True)
class ChainReport:
    """The result of a walk: how many events held, and the first broken link if any."""

    checked: int
    last_position: int
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when every link holds."""
        return self.broken_at is None


def event_hash(event: RecordedEvent) -> str:
    """Recompute an event's hash from its stored fields and its ``prev_hash``."""
    return chain_hash(
        event.prev_hash,
        position=event.position,
        stream_id=event.stream_id,
        stream_version=event.stream_version,
        event_type=event.type,
        schema_version=event.schema_version,
        data_json=canonical_json(event.data),
        metadata_json=canonical_json(event.metadata),
        recorded_at=timestamp_text(event.recorded_at),
    )


def verify_chain(events: Iterable[RecordedEvent], *, start_position: int = 1, start_hash: str = GENESIS) -> ChainReport:
    """Check positions run on from ``start_position`` without a gap, each ``prev_hash`` is the previous
    ``hash`` (the first one ``start_hash``), and each hash is right.

    ``events`` must be the stored events in position order, not upcast.
    """
    expected_prev, expected_position, checked = start_hash, start_position, 0
    for event in events:
        if event.position != expected_position:
            return ChainReport(
                checked,
                expected_position - 1,
                event.position,
                f"expected position {expected_position}, found {event.position}",
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                checked,
                event.position - 1,
                event.position,
                "prev_hash does not match the previous event's hash",
            )
        if type(event.data) is not dict or type(event.metadata) is not dict:
            # A replay's projections read the data as an object: a chain that holds over a string or a
            # list (a rewrite with recomputed hashes) is still a log Vigil cannot fold.
            return ChainReport(
                checked, event.position - 1, event.position, "malformed: its data is not a JSON object"
            )
        if event_hash(event) != event.hash:
            return ChainReport(
                checked, event.position - 1, event.position, "hash does not match the event's contents"
            )
        expected_prev, expected_position, checked = event.hash, expected_position + 1, checked + 1
    return ChainReport(checked, expected_position - 1)
