"""Projection of alert streams: one row per alert raised. The only writer of ``alerts``.

How an alert's deliveries went is not kept here: the delivery projection owns ``deliveries``, and an
alert's overall status is derived from them when it is read (service/delivery/status.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from service.store.driver_sql import run_many
from service.store.hashing import timestamp_text
from service.store.projection import Projection
from service.store.records import RecordedEvent

TABLES = ("alerts",)

_RAISED = (
    "INSERT INTO alerts (alert_id, rule, item, severity, title, raised_at, raised_position, trigger_position) "
    "VALUES (:alert_id, :rule, :item, :severity, :title, :raised_at, :position, :trigger)"
)


def project_alerts(conn: Connection, events: Sequence[RecordedEvent]) -> None:
    """Record each AlertRaised in ``alerts``."""
    rows = [
        {
            "alert_id": event.data["alert_id"],
            "rule": event.data["rule"],
            "item": event.data["item"],
            "severity": event.data["severity"],
            "title": event.data["title"],
            "raised_at": timestamp_text(event.recorded_at),
            "position": event.position,
            "trigger": event.data["trigger_position"],
        }
        for event in events
    ]
    run_many(conn, _RAISED, rows)


PROJECTION = Projection("alerts", TABLES, frozenset({"AlertRaised"}), project_alerts)
