"""Projection of subscribers and of every alert's deliveries: one row per (alert, subscriber, URL).

Deliveries are expanded from the subscribers as they were when the alert was raised, so a replay
rebuilds exactly the rows the live daemon had.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection

from service.delivery.redact import redact
from service.store.driver_sql import run, scalar
from service.store.hashing import timestamp_text
from service.store.records import RecordedEvent

TABLES = ("subscribers", "deliveries")

_SUBSCRIBER = (
    "INSERT INTO subscribers (name, urls, items, tags, min_severity, origin, added_position) "
    "VALUES (:name, :urls, :items, :tags, :min_severity, :origin, :position) ON CONFLICT (name) DO UPDATE "
    "SET urls = excluded.urls, items = excluded.items, tags = excluded.tags, "
    "min_severity = excluded.min_severity, origin = excluded.origin, added_position = excluded.added_position"
)
_UNSUBSCRIBE = "DELETE FROM subscribers WHERE name = :name"
_URLS = "SELECT urls FROM subscribers WHERE name = :name"
_DELIVERY = (
    "INSERT INTO deliveries (alert_id, subscriber, target_index, url, target, status, attempts, next_attempt) "
    "VALUES (:alert_id, :subscriber, :index, :url, :target, 'pending', 0, :at)"
)
_KEY = "alert_id = :alert_id AND subscriber = :subscriber AND target_index = :target_index"
_DELIVERED = (
    f"UPDATE deliveries SET status = 'delivered', attempts = :attempt, delivered_at = :at, "
    f"last_error = NULL, next_attempt = NULL WHERE {_KEY}"
)
_FAILED = (
    f"UPDATE deliveries SET status = 'failed', attempts = :attempt, last_error = :error, "
    f"next_attempt = :next_attempt WHERE {_KEY}"
)
_ABANDONED = (
    f"UPDATE deliveries SET status = 'abandoned', attempts = :attempts, last_error = :error, "
    f"next_attempt = NULL WHERE {_KEY}"
)
_RETRY = (
    "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt = :at "
    "WHERE alert_id = :alert_id AND status IN ('abandoned', 'failed')"
)
_STATUSES = "SELECT status FROM deliveries WHERE alert_id = :alert_id"
_ALERT_STATUS = "UPDATE alerts SET status = :status WHERE alert_id = :alert_id"


def alert_status(statuses: list[str]) -> str:
    """One word for an alert from its deliveries' statuses: the worst outcome wins."""
    for status in ("abandoned", "failed", "pending"):
        if status in statuses:
            return status
    return "delivered" if statuses else "none"


def project_deliveries(conn: Connection, event: RecordedEvent) -> None:
    """Keep ``subscribers`` and ``deliveries`` (and each alert's overall status) in step with the log."""
    data, at = event.data, timestamp_text(event.recorded_at)
    if event.type == "SubscriberAdded":
        run(
            conn,
            _SUBSCRIBER,
            {
                "name": data["name"],
                "urls": json.dumps(data["urls"]),
                "items": json.dumps(data.get("items", [])),
                "tags": json.dumps(data.get("tags", [])),
                "min_severity": data.get("min_severity", "info"),
                "origin": data.get("origin", "rules"),
                "position": event.position,
            },
        )
        return
    if event.type == "SubscriberRemoved":
        run(conn, _UNSUBSCRIBE, {"name": data["name"]})
        return
    if event.type == "AlertRaised":
        for subscriber in data["subscribers"]:
            raw = scalar(conn, _URLS, {"name": subscriber})
            for index, url in enumerate(json.loads(raw) if raw else []):
                run(
                    conn,
                    _DELIVERY,
                    {
                        "alert_id": data["alert_id"],
                        "subscriber": subscriber,
                        "index": index,
                        "url": url,
                        "target": redact(url),
                        "at": at,
                    },
                )
    elif event.type == "AlertDelivered":
        run(conn, _DELIVERED, {**_key(data), "attempt": data["attempt"], "at": at})
    elif event.type == "AlertDeliveryFailed":
        run(
            conn,
            _FAILED,
            {
                **_key(data),
                "attempt": data["attempt"],
                "error": data["error"],
                "next_attempt": data["next_attempt"],
            },
        )
    elif event.type == "AlertDeliveryAbandoned":
        run(conn, _ABANDONED, {**_key(data), "attempts": data["attempts"], "error": data["error"]})
    elif event.type == "AlertRetryRequested":
        run(conn, _RETRY, {"alert_id": data["alert_id"], "at": at})
    else:
        return
    statuses = [row[0] for row in run(conn, _STATUSES, {"alert_id": data["alert_id"]})]
    run(conn, _ALERT_STATUS, {"alert_id": data["alert_id"], "status": alert_status(statuses)})


def _key(data: dict[str, object]) -> dict[str, object]:
    return {
        "alert_id": data["alert_id"],
        "subscriber": data["subscriber"],
        "target_index": data["target_index"],
    }
