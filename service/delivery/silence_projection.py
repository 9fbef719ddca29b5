"""Projection of silences: the only writer of ``silences`` and ``rule_items``.

``silences`` holds every silence added, with its end (``until``) and, when someone ended it early, when
(``expired_at``). ``rule_items`` holds the items of the rules the log recorded last (``RulesLoaded``), with
their tags: what a tag silence matches against when a delivery is due, and what ``vigil silence add``
checks an item or tag against. Readers: service/delivery/silences.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import Connection

from service.store.driver_sql import run, run_many
from service.store.hashing import timestamp_text
from service.store.projection import Projection
from service.store.records import RecordedEvent

TABLES = ("silences", "rule_items")

_ADD = (
    "INSERT INTO silences (silence_id, matcher, value, until, reason, origin, added_at, expired_at, added_position) "
    "VALUES (:silence_id, :matcher, :value, :until, :reason, :origin, :added_at, NULL, :position)"
)
_EXPIRE = "UPDATE silences SET expired_at = :at WHERE silence_id = :silence_id AND expired_at IS NULL"
_FORGET_ITEMS = "DELETE FROM rule_items"
_ITEM = "INSERT INTO rule_items (item, tags) VALUES (:item, :tags)"


def project_silences(conn: Connection, events: Sequence[RecordedEvent]) -> None:
    """Keep ``silences`` and ``rule_items`` in step with the log."""
    for event in events:
        data = event.data
        if event.type == "SilenceAdded":
            run(conn, _ADD, {**{k: data[k] for k in ("silence_id", "matcher", "value", "until", "reason")},
                             "origin": data.get("origin", "cli"), "added_at": timestamp_text(event.recorded_at),
                             "position": event.position})
        elif event.type == "SilenceExpired":
            run(conn, _EXPIRE, {"silence_id": data["silence_id"], "at": timestamp_text(event.recorded_at)})
        else:  # RulesLoaded: the items (and their tags) now in force; v1 events kept only the names
            extraction = data.get("extraction") or {}
            specs = extraction.get("items", {})
            run(conn, _FORGET_ITEMS, {})
            run_many(conn, _ITEM, [{"item": item, "tags": json.dumps(list(specs.get(item, {}).get("tags", [])))}
                                   for item in data["items"]])


PROJECTION = Projection(
    "silences", TABLES, frozenset({"SilenceAdded", "SilenceExpired", "RulesLoaded"}), project_silences
)
