"""The two shapes of an event in the store: one about to be appended, and one recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to append. ``schema_version`` defaults to the type's current version (see the catalogue)."""

    type: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    schema_version: int | None = None


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: its global position, its place in its stream, and its link in the hash chain."""

    position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime
    prev_hash: str
    hash: str
