"""Alerts with the status of each of their deliveries, as the ``alerts`` and ``deliveries`` projections hold them.

One read model for ``vigil alerts``, ``GET /api/alerts``, the dashboard, the timeline and the metrics. A
delivery keeps only the redacted target; who must not show even that (the dashboard) shows its
``channel``, the URL scheme. An alert's status (``alert_status``) is the worst of its deliveries':
abandoned, failed, pending, delivered; ``none`` for an alert nobody was to hear about.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, bindparam, text

from service.alerting.acknowledgements import acknowledgements
from service.alerting.reads import newest_alerts
from service.store.recorder import EventStore

_SCHEME_IN = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")

#: Alert ids per ``IN (...)`` query: far below every backend's limit on bound parameters.
_IDS_PER_QUERY = 500

#: The alerts whose deliveries failed or were abandoned, as a subquery for the alerts reader.
_FAILED_IDS = "SELECT alert_id FROM alert_status WHERE status IN ('failed', 'abandoned')"
_STATUSES = text("SELECT alert_id, status FROM alert_status WHERE alert_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)
_ALERT_COUNTS = text("SELECT status, COUNT(*) FROM alert_status GROUP BY status")
_DELIVERY_COUNTS = text("SELECT status, COUNT(*) FROM deliveries GROUP BY status")

_DELIVERIES = text(
    "SELECT alert_id, subscriber, target, status, attempts, last_error, next_attempt, delivered_at, group_id, "
    "silenced_by "
    "FROM deliveries WHERE alert_id IN :ids ORDER BY alert_id, subscriber, target_index"
).bindparams(bindparam("ids", expanding=True))


@dataclass(frozen=True)
class DeliveryView:
    """One target of one alert: where it went (redacted) and how it went."""

    subscriber: str
    target: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt: str | None
    delivered_at: str | None
    group_id: str | None = None  # sent in one message with the other alerts of its group (``group:``)
    silenced_by: list[str] = field(default_factory=list)  # the silences that held it back (status silenced)

    @property
    def channel(self) -> str:
        """The kind of channel (the target's scheme, e.g. ``mailto``), for pages that show no URL at all."""
        return channel_of(self.target)


@dataclass(frozen=True)
class AlertView:
    """An alert as the ``alerts`` projection holds it, with each of its deliveries."""

    alert_id: str
    raised_at: str
    rule: str
    item: str
    severity: str
    status: str
    title: str
    deliveries: list[DeliveryView] = field(default_factory=list)
    acknowledged_at: str | None = None  # `vigil ack` of its item, while in the state this alert announced
    acknowledged_reason: str | None = None


def recent_alerts(
    store: EventStore, *, limit: int = 50, failed_only: bool = False, item: str | None = None
) -> list[AlertView]:
    """The newest ``limit`` alerts, newest first, each with its deliveries (targets redacted).

    ``failed_only`` keeps the alerts with failed or abandoned deliveries; ``item`` those of one item.
    """
    with store.reading() as conn:
        alerts = newest_alerts(conn, limit=limit, item=item, among=_FAILED_IDS if failed_only else None)
        ids = [alert.alert_id for alert in alerts]
        statuses = alert_statuses(conn, ids)
        deliveries = _deliveries_of(conn, ids)
        acks = acknowledgements(conn, ids)
    return [
        AlertView(a.alert_id, a.raised_at, a.rule, a.item, a.severity, statuses.get(a.alert_id, "none"), a.title,
                  deliveries=deliveries.get(a.alert_id, []),
                  acknowledged_at=acks[a.alert_id].acknowledged_at if a.alert_id in acks else None,
                  acknowledged_reason=acks[a.alert_id].reason if a.alert_id in acks else None)
        for a in alerts
    ]


def alert_statuses(conn: Connection, alert_ids: list[str]) -> dict[str, str]:
    """The status of each of these alerts (absent: no such alert)."""
    found: dict[str, str] = {}
    for start in range(0, len(alert_ids), _IDS_PER_QUERY):
        rows = conn.execute(_STATUSES, {"ids": alert_ids[start : start + _IDS_PER_QUERY]})
        found.update((alert_id, status) for alert_id, status in rows)
    return found


_TO_SUBSCRIBER = text(
    "SELECT DISTINCT alert_id FROM deliveries WHERE subscriber = :subscriber AND alert_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def alerts_to(conn: Connection, alert_ids: list[str], subscriber: str) -> set[str]:
    """Which of these alerts were routed to ``subscriber``."""
    found: set[str] = set()
    for start in range(0, len(alert_ids), _IDS_PER_QUERY):
        batch = alert_ids[start : start + _IDS_PER_QUERY]
        found.update(row[0] for row in conn.execute(_TO_SUBSCRIBER, {"subscriber": subscriber, "ids": batch}))
    return found


_WAITING_FOR_DIGEST = text(
    "SELECT alert_id, target_index, target FROM deliveries "
    "WHERE subscriber = :subscriber AND status = 'digest' AND alert_id IN :ids ORDER BY alert_id, target_index"
).bindparams(bindparam("ids", expanding=True))


def waiting_for_digest(conn: Connection, alert_ids: list[str], subscriber: str) -> list[tuple[str, int, str]]:
    """The deliveries of these alerts to ``subscriber`` that wait for its digest: (alert id, target index,
    target as shown)."""
    found: list[tuple[str, int, str]] = []
    for start in range(0, len(alert_ids), _IDS_PER_QUERY):
        batch = alert_ids[start : start + _IDS_PER_QUERY]
        found += [(row[0], int(row[1]), row[2]) for row in
                  conn.execute(_WAITING_FOR_DIGEST, {"subscriber": subscriber, "ids": batch})]
    return found


def status_counts(conn: Connection) -> tuple[dict[str, int], dict[str, int]]:
    """How many alerts have each status, and how many deliveries (alert x subscriber URL) have each."""
    alerts = {status: int(count) for status, count in conn.execute(_ALERT_COUNTS)}
    return alerts, {status: int(count) for status, count in conn.execute(_DELIVERY_COUNTS)}


def channel_of(target: str) -> str:
    """The scheme of a (redacted) apprise URL, e.g. ``mailto``: enough to tell channels apart, nothing more.

    A URL kept in the environment (``${HOOK_URL}``) has its channel once it has been sent to (the attempt
    records the URL it sent to, redacted), or from its default (``${HOOK_URL:-json://…}``) before that."""
    found = _SCHEME_IN.search(target)
    return found.group(1).lower() if found else "?"


def _deliveries_of(conn: Connection, alert_ids: list[str]) -> dict[str, list[DeliveryView]]:
    """The deliveries of these alerts only, by alert, in subscriber and target order."""
    per_alert: dict[str, list[DeliveryView]] = {}
    for start in range(0, len(alert_ids), _IDS_PER_QUERY):
        batch = alert_ids[start : start + _IDS_PER_QUERY]
        for alert_id, *rest, silenced_by in conn.execute(_DELIVERIES, {"ids": batch}):
            per_alert.setdefault(alert_id, []).append(DeliveryView(*rest, json.loads(silenced_by or "[]")))
    return per_alert
