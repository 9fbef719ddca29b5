"""The dashboard's reads of the projection tables: recent alerts with their deliveries, and source health."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from service.rules.models import RuleSet
from service.store.recorder import EventStore

#: Consecutive failures from which a source counts as down rather than struggling.
DOWN_AFTER_FAILURES = 3


@dataclass(frozen=True)
class DeliveryView:
    """One subscriber target of an alert. Only the target's scheme is kept: a page never shows a URL."""

    subscriber: str
    channel: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt: str | None
    delivered_at: str | None


@dataclass(frozen=True)
class AlertView:
    """An alert raised, with every delivery it asked for."""

    alert_id: str
    raised_at: str
    rule: str
    item: str
    severity: str
    status: str
    title: str
    deliveries: list[DeliveryView]


@dataclass(frozen=True)
class SourceHealth:
    """A source of the rules and how its polls have gone."""

    source: str
    title: str
    every_seconds: int
    health: str  # ok | failing | down | never polled
    last_polled_at: str | None
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    consecutive_failures: int
    entries_seen: int
    next_poll: str | None
    problem: str | None


def recent_alerts(store: EventStore, limit: int = 20, item: str | None = None) -> list[AlertView]:
    """The newest ``limit`` alerts (of ``item`` only, when given), newest first, with their deliveries."""
    where = "WHERE item = :item" if item is not None else ""
    with store.engine.connect() as conn:
        alerts = conn.execute(
            text(
                f"SELECT alert_id, raised_at, rule, item, severity, status, title FROM alerts {where} "
                "ORDER BY raised_position DESC LIMIT :limit"
            ),
            {"limit": limit, "item": item},
        ).fetchall()
        ids = [row[0] for row in alerts]
        deliveries = _deliveries(conn, ids) if ids else {}
    return [
        AlertView(
            alert_id=alert_id,
            raised_at=raised_at,
            rule=rule,
            item=item_id,
            severity=severity,
            status=status,
            title=title,
            deliveries=deliveries.get(alert_id, []),
        )
        for alert_id, raised_at, rule, item_id, severity, status, title in alerts
    ]


def _deliveries(conn: Connection, alert_ids: list[str]) -> dict[str, list[DeliveryView]]:
    placeholders = ", ".join(f":a{i}" for i in range(len(alert_ids)))
    rows = conn.execute(
        text(
            "SELECT alert_id, subscriber, target, status, attempts, last_error, next_attempt, delivered_at "
            f"FROM deliveries WHERE alert_id IN ({placeholders}) ORDER BY subscriber, target_index"
        ),
        {f"a{i}": alert_id for i, alert_id in enumerate(alert_ids)},
    ).fetchall()
    per_alert: dict[str, list[DeliveryView]] = {}
    for alert_id, subscriber, target, status, attempts, last_error, next_attempt, delivered_at in rows:
        per_alert.setdefault(alert_id, []).append(
            DeliveryView(
                subscriber=subscriber,
                channel=channel_of(target),
                status=status,
                attempts=attempts,
                last_error=last_error,
                next_attempt=next_attempt,
                delivered_at=delivered_at,
            )
        )
    return per_alert


def channel_of(target: str) -> str:
    """The scheme of a (redacted) apprise URL, e.g. ``mailto``: enough to tell channels apart, nothing more."""
    scheme, sep, _ = target.partition("://")
    return scheme.lower() if sep and scheme.isalnum() else "?"


def source_health(store: EventStore, rules: RuleSet) -> list[SourceHealth]:
    """Every source of ``rules``, in name order, with its poll status."""
    with store.engine.connect() as conn:
        rows = {
            row[0]: row
            for row in conn.execute(
                text(
                    "SELECT source, last_polled_at, last_success_at, last_error, last_error_at, "
                    "consecutive_failures, entries_seen, next_poll, problem FROM source_status"
                )
            )
        }
    sources = []
    for source_id, spec in sorted(rules.sources.items()):
        _, polled, success, error, error_at, failures, seen, next_poll, problem = rows.get(
            source_id, (source_id, None, None, None, None, 0, 0, None, None)
        )
        sources.append(
            SourceHealth(
                source=source_id,
                title=spec.title or source_id,
                every_seconds=int(spec.every.total_seconds()),
                health=_health(failures, success),
                last_polled_at=polled,
                last_success_at=success,
                last_error=error,
                last_error_at=error_at,
                consecutive_failures=failures,
                entries_seen=seen,
                next_poll=next_poll,
                problem=problem,
            )
        )
    return sources


def _health(consecutive_failures: int, last_success: str | None) -> str:
    if consecutive_failures == 0:
        return "ok" if last_success else "never polled"
    return "down" if consecutive_failures >= DOWN_AFTER_FAILURES or not last_success else "failing"
