"""Projection of subscribers and of every alert's deliveries: one row per (alert, subscriber, URL).

The only writer of ``subscribers``, ``deliveries`` and ``alert_status`` (each alert's overall status: the
worst of its deliveries'). Readers: service/delivery/route.py (subscribers), service/delivery/due.py (what
is due to be sent) and service/delivery/status.py (what ``vigil alerts``, the dashboard, the timeline and
the metrics show). The ``alerts`` table is the alerting projection's own and is never written here.

Deliveries are expanded from the subscribers as they were when the alert was raised, so a replay
rebuilds exactly the rows the live daemon had. Events are folded a batch at a time: the delivery rows
of every alert the batch touches are read once, changed in memory in log order, and written once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection

from service.delivery.route import read_subscribers
from service.masking.apprise_urls import redact
from service.store.driver_sql import placeholders, run, run_many
from service.store.hashing import canonical_json, timestamp_text
from service.store.projection import Projection
from service.store.records import RecordedEvent

TABLES = ("subscribers", "deliveries", "alert_status")

_SUBSCRIBER = (
    "INSERT INTO subscribers (name, urls, shown, items, tags, min_severity, origin, added_position, group_seconds, "
    "digest) VALUES (:name, :urls, :shown, :items, :tags, :min_severity, :origin, :position, :group_seconds, "
    ":digest) "
    "ON CONFLICT (name) DO UPDATE "
    "SET urls = excluded.urls, shown = excluded.shown, items = excluded.items, tags = excluded.tags, "
    "min_severity = excluded.min_severity, origin = excluded.origin, added_position = excluded.added_position, "
    "group_seconds = excluded.group_seconds, digest = excluded.digest"
)
#: The rule name of a digest's own AlertRaised starts with this (service/delivery/subscriber_digests.py).
DIGEST_RULE_PREFIX = "digest:"
_UNSUBSCRIBE = "DELETE FROM subscribers WHERE name = :name"
_COLUMNS = ("alert_id", "subscriber", "target_index", "url", "target", "status", "attempts", "last_error",
            "next_attempt", "delivered_at", "silenced_by", "group_id", "group_key")
_LOAD = f"SELECT {', '.join(_COLUMNS)} FROM deliveries WHERE alert_id IN "
_WRITE = (
    f"INSERT INTO deliveries ({', '.join(_COLUMNS)}) VALUES ({', '.join(':' + c for c in _COLUMNS)}) "
    "ON CONFLICT (alert_id, subscriber, target_index) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[3:])
)
#: A group of deliveries to one subscriber URL still open to more alerts: nothing sent yet, its time ahead.
_OPEN_GROUP = (
    "SELECT alert_id, group_id, next_attempt FROM deliveries WHERE group_key = :group_key AND url = :url "
    "AND status = 'pending' AND attempts = 0 AND next_attempt > :at ORDER BY next_attempt LIMIT 1"
)
_ALERT_STATUS = (
    "INSERT INTO alert_status (alert_id, status) VALUES (:alert_id, :status) "
    "ON CONFLICT (alert_id) DO UPDATE SET status = excluded.status"
)
_DELIVERY_EVENTS = frozenset(
    {"AlertRaised", "AlertDelivered", "AlertDeliveryFailed", "AlertDeliveryAbandoned", "AlertRetryRequested",
     "AlertDeliverySilenced"}
)

Row = dict[str, Any]


def alert_status(statuses: list[str]) -> str:
    """One word for an alert from its deliveries' statuses: the worst outcome wins.

    A silenced delivery was not sent on purpose: an alert is ``silenced`` only when every delivery was,
    and ``delivered`` when the others were delivered. ``digest``: it goes out only in a digest."""
    for status in ("abandoned", "failed", "pending", "delivered", "digest", "silenced"):
        if status in statuses:
            return status
    return "none"


def project_deliveries(conn: Connection, events: Sequence[RecordedEvent]) -> None:
    """Keep ``subscribers``, ``deliveries`` and ``alert_status`` in step with the log."""
    raised_here = {e.data["alert_id"] for e in events if e.type == "AlertRaised"}
    earlier = {e.data["alert_id"] for e in events if e.type in _DELIVERY_EVENTS} - raised_here
    rows = _load(conn, earlier)  # alert id -> its delivery rows, keyed by (subscriber, target_index)
    dirty: set[tuple[str, str, int]] = set()
    urls: dict[str, list[str]] = {}  # the batch's view of each subscriber's URLs, kept in log order
    shown: dict[str, list[str]] = {}  # and of the same URLs as shown (redacted)
    windows: dict[str, float | None] = {}  # and of its grouping window
    digest_only: dict[str, bool] = {}  # and whether it hears of alerts only in its digest
    groups: dict[str, Row] = {}  # group key -> the first delivery of its newest group
    for event in events:
        data, at = event.data, timestamp_text(event.recorded_at)
        if event.type == "SubscriberAdded":
            _subscribe(conn, event)
            urls[data["name"]] = list(data["urls"])
            shown[data["name"]] = shown_urls(data)
            windows[data["name"]] = data.get("group_seconds")
            digest_only[data["name"]] = bool(data.get("digest")) and not data["digest"].get("immediate", False)
        elif event.type == "SubscriberRemoved":
            run(conn, _UNSUBSCRIBE, {"name": data["name"]})
            urls[data["name"]] = shown[data["name"]] = []
        elif event.type == "AlertRaised":
            alert = rows.setdefault(data["alert_id"], {})
            unseen = [name for name in data["subscribers"] if name not in urls]
            known = read_subscribers(conn, unseen)
            urls.update({name: known[name].urls if name in known else [] for name in unseen})
            shown.update({name: known[name].shown if name in known else [] for name in unseen})
            windows.update({name: known[name].group_seconds if name in known else None for name in unseen})
            digest_only.update({name: name in known and known[name].digest_only for name in unseen})
            is_digest = data["rule"].startswith(DIGEST_RULE_PREFIX)
            for subscriber in data["subscribers"]:
                for index, url in enumerate(urls[subscriber]):
                    row = alert[(subscriber, index)] = {
                        "alert_id": data["alert_id"], "subscriber": subscriber, "target_index": index, "url": url,
                        "target": shown[subscriber][index], "status": "pending", "attempts": 0, "last_error": None,
                        "next_attempt": at, "delivered_at": None, "silenced_by": None, "group_id": None,
                        "group_key": None,
                    }
                    if digest_only[subscriber] and not is_digest:  # it will be listed in the next digest
                        row.update(status="digest", next_attempt=None)
                        dirty.add((data["alert_id"], subscriber, index))
                        continue
                    # The subscriber's window groups every alert to it; a rule's, the alerts of that rule.
                    window = windows[subscriber] or data.get("group_seconds")
                    if window:
                        row["group_key"] = f"{index}:{subscriber}" + (
                            "" if windows[subscriber] else f":rule:{data['rule']}")
                        _join_group(conn, row, event, window, groups, rows)
                    dirty.add((data["alert_id"], subscriber, index))
        else:
            dirty.update(_apply(rows.setdefault(data["alert_id"], {}), event.type, data, at))
    run_many(conn, _WRITE, [rows[alert][(sub, index)] for alert, sub, index in sorted(dirty)])
    run_many(
        conn,
        _ALERT_STATUS,
        [{"alert_id": alert, "status": alert_status([r["status"] for r in rows.get(alert, {}).values()])}
         for alert in sorted(raised_here | earlier)],
    )


def _join_group(conn: Connection, row: Row, event: RecordedEvent, window: float,
                groups: dict[str, Row], rows: dict[str, dict[tuple[str, int], Row]]) -> None:
    """Put a new delivery in the open group of its ``group_key`` (sent at the group's time), or start one
    that is sent ``window`` seconds after this alert."""
    key, at = (row["subscriber"], row["target_index"]), row["next_attempt"]
    first = groups.get(row["group_key"])
    if first is None:  # no group seen in this batch: one written by an earlier batch may be open
        params = {"group_key": row["group_key"], "url": row["url"], "at": at}
        found = run(conn, _OPEN_GROUP, params).fetchone()
        if found is not None:
            # The batch may have changed that row already (sent it, say): its copy in memory is the truth.
            first = rows.get(found[0], {}).get(key) or {"status": "pending", "attempts": 0, "group_id": found[1],
                                                        "next_attempt": found[2], "url": row["url"]}
    if (first is not None and first["status"] == "pending" and first["attempts"] == 0 and first["url"] == row["url"]
            and first["next_attempt"] > at):
        row.update(group_id=first["group_id"], next_attempt=first["next_attempt"])
        return
    row.update(group_id=f"{row['alert_id']}:{key[0]}:{key[1]}",
               next_attempt=timestamp_text(event.recorded_at + timedelta(seconds=window)))
    groups[row["group_key"]] = row


def _apply(alert: dict[tuple[str, int], Row], kind: str, data: dict[str, Any], at: str) -> set[tuple[str, str, int]]:
    """Change one alert's delivery rows for a delivery event; return the keys it changed."""
    if kind == "AlertRetryRequested":
        retried = [row for row in alert.values() if row["status"] in ("abandoned", "failed")]
        for row in retried:
            row.update(status="pending", attempts=0, next_attempt=at)
        return {(row["alert_id"], row["subscriber"], row["target_index"]) for row in retried}
    row = alert.get((data["subscriber"], data["target_index"]))
    if row is None:  # a delivery event for a target the alert never had: nothing to show
        return set()
    if kind == "AlertDelivered":
        row.update(status="delivered", attempts=data["attempt"], delivered_at=at, last_error=None, next_attempt=None)
    elif kind == "AlertDeliverySilenced":
        row.update(status="silenced", silenced_by=json.dumps(data["silences"]), last_error=None, next_attempt=None)
    elif kind == "AlertDeliveryFailed":
        row.update(status="failed", attempts=data["attempt"], last_error=data["error"],
                   next_attempt=data["next_attempt"])
    else:
        row.update(status="abandoned", attempts=data["attempts"], last_error=data["error"], next_attempt=None)
    if kind in _ATTEMPT_EVENTS and data.get("target"):
        # The URL the attempt went to, redacted: for a URL kept in the environment, the first that names
        # its channel (the subscriber's recorded form shows only ``${NAME}``).
        row["target"] = data["target"]
    return {(row["alert_id"], row["subscriber"], row["target_index"])}


_ATTEMPT_EVENTS = frozenset({"AlertDelivered", "AlertDeliveryFailed", "AlertDeliveryAbandoned"})


def _load(conn: Connection, alerts: set[str]) -> dict[str, dict[tuple[str, int], Row]]:
    rows: dict[str, dict[tuple[str, int], Row]] = {alert: {} for alert in alerts}
    ordered = sorted(alerts)
    for start in range(0, len(ordered), 500):  # bounded IN lists
        chunk = ordered[start : start + 500]
        in_list, names = placeholders("alert", len(chunk))
        for values in run(conn, _LOAD + in_list, dict(zip(names, chunk, strict=True))).fetchall():
            row = dict(zip(_COLUMNS, values, strict=True))
            rows[row["alert_id"]][(row["subscriber"], row["target_index"])] = row
    return rows


def shown_urls(data: Mapping[str, Any]) -> list[str]:
    """A ``SubscriberAdded``'s URLs as shown: recorded since v2, redacted here for v1 events."""
    shown = data.get("shown")
    return list(shown) if shown is not None else [redact(url) for url in data["urls"]]


def _subscribe(conn: Connection, event: RecordedEvent) -> None:
    data = event.data
    run(
        conn,
        _SUBSCRIBER,
        {
            "name": data["name"],
            "urls": json.dumps(data["urls"]),
            "shown": json.dumps(shown_urls(data)),
            "items": json.dumps(data.get("items", [])),
            "tags": json.dumps(data.get("tags", [])),
            "min_severity": data.get("min_severity", "info"),
            "origin": data.get("origin", "rules"),
            "position": event.position,
            "group_seconds": data.get("group_seconds"),
            # Canonical: the event as appended and as read back from the log order its keys differently,
            # and `vigil verify` compares this row with a replay's.
            "digest": canonical_json(data["digest"]) if data.get("digest") else None,
        },
    )


PROJECTION = Projection(
    "deliveries", TABLES, _DELIVERY_EVENTS | {"SubscriberAdded", "SubscriberRemoved"}, project_deliveries
)
