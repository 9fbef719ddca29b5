"""Upcasters: old stored versions of an event become the current shape when read.

The log is never rewritten. When an event type's schema changes, its class in the catalogue gets a
higher ``VERSION`` and an upcaster from the previous version is registered here; readers then only
ever see the current shape, however old the stored event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from service.events.catalog import (
    EVENT_TYPES,
    AlertRaised,
    EntryObserved,
    EntryRevised,
    EvidenceFound,
    RulesLoaded,
    SourcePollFailed,
    SubscriberAdded,
)

Data = dict[str, Any]
UpcastStep = Callable[[Data], Data]


def _source_poll_failed_v1_to_v2(data: Data) -> Data:
    # v1 called the reason "error" and did not count consecutive failures; a v1 event was one failure.
    upgraded = {k: v for k, v in data.items() if k != "error"}
    upgraded["reason"] = data.get("error", "")
    upgraded.setdefault("consecutive_failures", 1)
    return upgraded


def _entry_v1_to_v2(data: Data) -> Data:
    # v1 kept only the UTC time: the publisher's offset is unknown, and dates were read in UTC.
    return {**data, "published_offset_minutes": None}


def _entry_v2_to_v3(data: Data) -> Data:
    # v2 did not record the language: None, which readers detect from the entry's text.
    return {**data, "language": None}


def _evidence_v1_to_v2(data: Data) -> Data:
    # Before v2 Vigil read English only: every recorded sentence is English.
    return {**data, "language": "en"}


def _rules_loaded_v1_to_v2(data: Data) -> Data:
    # v1 recorded only the rules' hash: what extraction judged with is not in the log.
    return {**data, "extraction": None}


def _subscriber_added_v1_to_v2(data: Data) -> Data:
    # v1 had no shown forms (and may hold literal URLs, which readers redact when they show them).
    return {**data, "shown": None}


def _subscriber_added_v2_to_v3(data: Data) -> Data:
    # v2 had no grouping: each alert went out on its own.
    return {**data, "group_seconds": None}


def _subscriber_added_v3_to_v4(data: Data) -> Data:
    # v3 had no digests.
    return {**data, "digest": None}


def _alert_raised_v1_to_v2(data: Data) -> Data:
    # v1 rules had no grouping window.
    return {**data, "group_seconds": None}


@dataclass(frozen=True)
class Upcaster:
    """Chains of single-version steps per event type, and each type's current version."""

    steps: Mapping[tuple[str, int], UpcastStep] = field(default_factory=dict)
    current: Mapping[str, int] = field(default_factory=dict)

    def current_version(self, event_type: str) -> int:
        """The version new events of this type are written with (1 for types the catalogue lacks)."""
        return self.current.get(event_type, 1)

    def needs(self, event_type: str, version: int) -> bool:
        """Whether a stored event is older than its type's current version."""
        return version < self.current.get(event_type, version)

    def upcast(self, event_type: str, version: int, data: Data) -> tuple[Data, int]:
        """Apply every step from ``version`` to the current one; returns (data, new version)."""
        target = self.current_version(event_type)
        while version < target:
            step = self.steps.get((event_type, version))
            if step is None:
                raise LookupError(f"no upcaster for {event_type} v{version} -> v{version + 1}")
            data = step(data)
            version += 1
        return data, version


def default_upcaster() -> Upcaster:
    """The upcasters for Vigil's own event catalogue."""
    return Upcaster(
        steps={
            (SourcePollFailed.TYPE, 1): _source_poll_failed_v1_to_v2,
            (EntryObserved.TYPE, 1): _entry_v1_to_v2,
            (EntryRevised.TYPE, 1): _entry_v1_to_v2,
            (EntryObserved.TYPE, 2): _entry_v2_to_v3,
            (EntryRevised.TYPE, 2): _entry_v2_to_v3,
            (EvidenceFound.TYPE, 1): _evidence_v1_to_v2,
            (RulesLoaded.TYPE, 1): _rules_loaded_v1_to_v2,
            (SubscriberAdded.TYPE, 1): _subscriber_added_v1_to_v2,
            (SubscriberAdded.TYPE, 2): _subscriber_added_v2_to_v3,
            (SubscriberAdded.TYPE, 3): _subscriber_added_v3_to_v4,
            (AlertRaised.TYPE, 1): _alert_raised_v1_to_v2,
        },
        current={name: cls.VERSION for name, cls in EVENT_TYPES.items()},
    )
