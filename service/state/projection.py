"""Projection of item streams: each item's current value, since when, and its recent evidence.

The recent evidence (``support``) is what confirmation windows are judged on; it is kept bounded.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from service.state.decision import SUPPORT_LIMIT
from service.store.driver_sql import run, scalar
from service.store.records import RecordedEvent

TABLES = ("item_states",)

_ENSURE = (
    "INSERT INTO item_states (item, value, evidence_count, state) VALUES (:item, NULL, 0, '[]') "
    "ON CONFLICT (item) DO NOTHING"
)
_SUPPORT = "SELECT state FROM item_states WHERE item = :item"
_ROW = "SELECT value, since, state FROM item_states WHERE item = :item"
_EVIDENCE = "UPDATE item_states SET evidence_count = evidence_count + 1, state = :state WHERE item = :item"
_CHANGED = "UPDATE item_states SET value = :value, since = :since, changed_position = :position WHERE item = :item"


def read_support(conn: Connection, item: str) -> list[dict[str, Any]]:
    """The recent evidence of an item: dicts of evidence_id, value, source, published, sentence, link."""
    raw = scalar(conn, _SUPPORT, {"item": item})
    return json.loads(raw) if raw else []


def project_items(conn: Connection, event: RecordedEvent) -> None:
    """Keep ``item_states`` in step with EvidenceFound and ItemStateChanged."""
    if event.type not in {"EvidenceFound", "ItemStateChanged"}:
        return
    data = event.data
    run(conn, _ENSURE, {"item": data["item"]})
    if event.type == "EvidenceFound":
        support = read_support(conn, data["item"])
        support.append(
            {
                "evidence_id": data["evidence_id"],
                "value": data["value"],
                "source": data["source"],
                "published": data["published"],
                "sentence": data["sentence"],
                "link": data["link"],
            }
        )
        support.sort(key=lambda record: record["published"])
        state = json.dumps(support[-SUPPORT_LIMIT:], separators=(",", ":"))
        run(conn, _EVIDENCE, {"item": data["item"], "state": state})
    else:
        run(
            conn,
            _CHANGED,
            {
                "item": data["item"],
                "value": data["to_value"],
                "since": data["published"],
                "position": event.position,
            },
        )


def read_item(conn: Connection, item: str) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """(value or None while still initial, since, recent evidence) of an item."""
    row = run(conn, _ROW, {"item": item}).fetchone()
    if row is None:
        return None, None, []
    return row[0], row[1], json.loads(row[2])
