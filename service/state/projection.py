"""Projection of item streams: each item's current value, since when, and its recent evidence.

The recent evidence (``support``) is what confirmation windows are judged on; it is kept bounded.
Events are folded a batch at a time: each item touched is read once and written once per batch, so a
replay does not decode and re-encode an item's evidence for every piece of evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection

from service.state.decision import SUPPORT_LIMIT
from service.store.driver_sql import placeholders, run, run_many
from service.store.projection import Projection
from service.store.records import RecordedEvent

TABLES = ("item_states",)

_PUBLISHED = itemgetter("published")
_ROW = "SELECT value, since, state FROM item_states WHERE item = :item"
_ROWS = "SELECT item, value, since, changed_position, evidence_count, state FROM item_states WHERE item IN "
_WRITE = (
    "INSERT INTO item_states (item, value, since, changed_position, evidence_count, state) "
    "VALUES (:item, :value, :since, :changed_position, :evidence_count, :state) ON CONFLICT (item) DO UPDATE "
    "SET value = excluded.value, since = excluded.since, changed_position = excluded.changed_position, "
    "evidence_count = excluded.evidence_count, state = excluded.state"
)


@dataclass
class _ItemRow:
    item: str
    value: str | None = None
    since: str | None = None
    changed_position: int | None = None
    evidence_count: int = 0
    support: list[dict[str, Any]] = field(default_factory=list)
    new_evidence: bool = False


def project_items(conn: Connection, events: Sequence[RecordedEvent]) -> None:
    """Keep ``item_states`` in step with EvidenceFound and ItemStateChanged."""
    rows = _load(conn, {event.data["item"] for event in events})
    for event in events:
        data = event.data
        row = rows[data["item"]]
        if event.type == "EvidenceFound":
            row.evidence_count += 1
            row.new_evidence = True
            row.support.append({key: data[key] for key in ("evidence_id", "value", "source", "published",
                                                          "sentence", "link")})
        else:
            row.value, row.since, row.changed_position = data["to_value"], data["published"], event.position
    run_many(conn, _WRITE, [_params(row) for row in rows.values()])


def _load(conn: Connection, items: set[str]) -> dict[str, _ItemRow]:
    rows = {item: _ItemRow(item) for item in items}
    in_list, names = placeholders("item", len(items))
    params = dict(zip(names, items, strict=True))
    for item, value, since, changed, count, state in run(conn, _ROWS + in_list, params).fetchall():
        rows[item] = _ItemRow(item, value, since, changed, count, orjson.loads(state))
    return rows


def _params(row: _ItemRow) -> dict[str, Any]:
    support = row.support
    if row.new_evidence:
        # A stable sort by publication: evidence published at the same moment keeps its log order.
        support = sorted(support, key=_PUBLISHED)[-SUPPORT_LIMIT:]
    return {"item": row.item, "value": row.value, "since": row.since, "changed_position": row.changed_position,
            "evidence_count": row.evidence_count, "state": orjson.dumps(support).decode()}



def read_item(conn: Connection, item: str) -> tuple[str | None, str | None, list[dict[str, Any]]]:
    """(value or None while still initial, since, recent evidence) of an item."""
    row = run(conn, _ROW, {"item": item}).fetchone()
    if row is None:
        return None, None, []
    return row[0], row[1], orjson.loads(row[2])


PROJECTION = Projection("items", TABLES, frozenset({"EvidenceFound", "ItemStateChanged"}), project_items)
