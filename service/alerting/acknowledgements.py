"""Projection and reader of acknowledgements: the only writer and reader of ``acknowledgements``.

One row per alert acknowledged (``ItemAcknowledged`` names the alerts that the item's current state
raised), with when and why. The alert listings (``vigil alerts``, the API, the dashboard) show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, text

from service.store.driver_sql import run_many
from service.store.hashing import timestamp_text
from service.store.projection import Projection
from service.store.records import RecordedEvent

TABLES = ("acknowledgements",)

_ACK = (
    "INSERT INTO acknowledgements (alert_id, item, acknowledged_at, reason) "
    "VALUES (:alert_id, :item, :at, :reason) ON CONFLICT (alert_id) DO NOTHING"
)
_OF = text("SELECT alert_id, acknowledged_at, reason FROM acknowledgements WHERE alert_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
#: Alert ids per ``IN (...)`` query: far below every backend's limit on bound parameters.
_IDS_PER_QUERY = 500


@dataclass(frozen=True)
class Acknowledgement:
    """When an alert was acknowledged, and why."""

    acknowledged_at: str
    reason: str


def project_acknowledgements(conn: Connection, events: Sequence[RecordedEvent]) -> None:
    """Record the alerts each ItemAcknowledged names."""
    run_many(conn, _ACK, [
        {"alert_id": alert_id, "item": event.data["item"], "at": timestamp_text(event.recorded_at),
         "reason": event.data.get("reason", "")}
        for event in events
        for alert_id in event.data["alert_ids"]
    ])


def acknowledgements(conn: Connection, alert_ids: Sequence[str]) -> dict[str, Acknowledgement]:
    """The acknowledgement of each of these alerts that has one."""
    found: dict[str, Acknowledgement] = {}
    for start in range(0, len(alert_ids), _IDS_PER_QUERY):
        rows = conn.execute(_OF, {"ids": list(alert_ids[start : start + _IDS_PER_QUERY])})
        found.update((alert_id, Acknowledgement(at, reason)) for alert_id, at, reason in rows)
    return found


PROJECTION = Projection("acknowledgements", TABLES, frozenset({"ItemAcknowledged"}), project_acknowledgements)
