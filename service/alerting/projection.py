"""Projection of alert streams: one row per alert raised (delivery status is kept by delivery's projection)."""

from __future__ import annotations

from sqlalchemy import Connection

from service.store.driver_sql import run
from service.store.hashing import timestamp_text
from service.store.records import RecordedEvent

TABLES = ("alerts",)

_RAISED = (
    "INSERT INTO alerts (alert_id, rule, item, severity, title, raised_at, raised_position, trigger_position, "
    "status) VALUES (:alert_id, :rule, :item, :severity, :title, :raised_at, :position, :trigger, :status)"
)


def project_alerts(conn: Connection, event: RecordedEvent) -> None:
    """Record each AlertRaised in ``alerts``."""
    if event.type != "AlertRaised":
        return
    data = event.data
    run(
        conn,
        _RAISED,
        {
            "alert_id": data["alert_id"],
            "rule": data["rule"],
            "item": data["item"],
            "severity": data["severity"],
            "title": data["title"],
            "raised_at": timestamp_text(event.recorded_at),
            "position": event.position,
            "trigger": data["trigger_position"],
            "status": "pending" if data["subscribers"] else "none",
        },
    )
