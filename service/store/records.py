"""The two shapes of an event in the store: one about to be appended, and one recorded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append. ``schema_version`` defaults to the type's current version (see the catalogue)."""

    type: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    schema_version: int | None = None


class RecordedEvent(NamedTuple):
    """An event as stored: its global position, its place in its stream, and its link in the hash chain.

    A named tuple rather than a frozen dataclass: just as immutable, and built several times faster,
    which matters when a replay reads a million of them.
    """

    position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: Mapping[str, Any]  # read-only and empty when read with metadata=False (see read_batches)
    recorded_at: datetime
    prev_hash: str
    hash: str
