"""Read-only queries the HTTP layer answers from: alerts with their deliveries, sources with their health.

Item states and timelines come from ``service.state.report`` and ``service.history.timeline``; this
module adds what the CLI prints but does not return as data. Nothing here returns a secret: delivery
targets are the redacted column, and feed URLs lose their password and secret-looking query values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import text

from service.delivery.redact import MASK, looks_like_token
from service.events.catalog import AlertRaised, ItemStateChanged
from service.rules.models import RuleSet
from service.store.recorder import EventStore

_SECRET_QUERY_KEY = re.compile(r"token|key|secret|pass|pwd|auth|sig|cred|session", re.IGNORECASE)


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


@dataclass(frozen=True)
class AlertStory:
    """What a feed reader shows of an alert: its rendered text and the link to the evidence."""

    alert_id: str
    raised_at: str
    item: str
    severity: str
    title: str
    body: str
    link: str | None


@dataclass(frozen=True)
class SourceView:
    """A source from the rules with its polling health (``health``: ok, failing or never polled)."""

    source: str
    url: str
    every_seconds: int
    health: str
    last_polled_at: str | None = None
    last_success_at: str | None = None
    last_status: int | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    consecutive_failures: int = 0
    entries_seen: int = 0
    next_poll: str | None = None
    problem: str | None = None


def recent_alerts(store: EventStore, *, limit: int = 50, failed_only: bool = False) -> list[AlertView]:
    """The newest ``limit`` alerts, newest first, each with its deliveries (targets redacted)."""
    where = "WHERE status IN ('failed', 'abandoned')" if failed_only else ""
    with store.engine.connect() as conn:
        alerts = conn.execute(
            text(
                f"SELECT alert_id, raised_at, rule, item, severity, status, title FROM alerts {where} "
                "ORDER BY raised_position DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).fetchall()
        ids = [row[0] for row in alerts]
        deliveries = conn.execute(
            text(
                "SELECT alert_id, subscriber, target, status, attempts, last_error, next_attempt, delivered_at "
                "FROM deliveries ORDER BY alert_id, subscriber, target_index"
            )
        ).fetchall()
    per_alert: dict[str, list[DeliveryView]] = {}
    wanted = set(ids)
    for alert_id, *rest in deliveries:
        if alert_id in wanted:
            per_alert.setdefault(alert_id, []).append(DeliveryView(*rest))
    return [AlertView(*row, deliveries=per_alert.get(row[0], [])) for row in alerts]


def alert_stories(store: EventStore, *, limit: int = 50) -> list[AlertStory]:
    """The newest ``limit`` alerts, newest first, with the body they were sent with and the evidence link."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT alert_id, raised_at, item, severity, title, raised_position, trigger_position FROM alerts "
                "ORDER BY raised_position DESC LIMIT :limit"
            ),
            {"limit": limit},
        ).fetchall()
    stories = []
    for alert_id, raised_at, item, severity, title, raised_position, trigger_position in rows:
        raised = _event_data(store, raised_position, AlertRaised.TYPE)
        change = _event_data(store, trigger_position, ItemStateChanged.TYPE)
        links = change.get("links") if change else None
        body = raised.get("body", "") if raised else ""
        stories.append(AlertStory(alert_id, raised_at, item, severity, title, body, links[0] if links else None))
    return stories


def source_views(store: EventStore, rules: RuleSet) -> list[SourceView]:
    """Every source of ``rules``, by name, with what the ``source_status`` projection knows of it."""
    with store.engine.connect() as conn:
        rows = {
            row[0]: row
            for row in conn.execute(
                text(
                    "SELECT source, last_polled_at, last_success_at, last_status, last_error, last_error_at, "
                    "consecutive_failures, entries_seen, next_poll, problem FROM source_status"
                )
            )
        }
    views = []
    for source_id, spec in sorted(rules.sources.items()):
        every = int(spec.every.total_seconds())
        url = public_feed_url(spec.url)
        row = rows.get(source_id)
        if row is None:
            views.append(SourceView(source_id, url, every, "never polled"))
            continue
        _, polled, success, status, error, error_at, failures, seen, next_poll, problem = row
        health = "failing" if failures else ("ok" if success else "never polled")
        error = hide_feed_secrets(error, spec.url) if error else None
        views.append(
            SourceView(
                source_id,
                url,
                every,
                health,
                polled,
                success,
                status,
                error,
                error_at,
                failures,
                seen,
                next_poll,
                problem,
            )
        )
    return views


def public_feed_url(url: str) -> str:
    """A feed URL safe to show: no password, and ``***`` for query values that look like credentials."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    host = parts.netloc.rpartition("@")[2]
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    netloc = f"{user}:{MASK}@{host}" if user else host
    pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        key, has_value, value = pair.partition("=")
        if has_value and value and (_SECRET_QUERY_KEY.search(key) or looks_like_token(value)):
            value = MASK
        pairs.append(f"{key}={value}" if has_value else key)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pairs), parts.fragment))


def hide_feed_secrets(message: str, url: str) -> str:
    """``message`` (a poll error) with the secret parts of the feed ``url`` masked wherever they occur."""
    shown = public_feed_url(url)
    for secret in _feed_secrets(url):
        if secret not in shown:
            message = message.replace(secret, MASK)
    return message.replace(url, shown)


def _feed_secrets(url: str) -> list[str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    secrets = [parts.netloc.rpartition("@")[0]] if "@" in parts.netloc else []
    secrets += [pair.partition("=")[2] for pair in parts.query.split("&") if pair]
    # Longest first, so a secret that contains another is masked whole.
    return sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)


def _event_data(store: EventStore, position: int, event_type: str) -> dict[str, object] | None:
    for event in store.read_all(position - 1, batch_size=1):
        return dict(event.data) if event.type == event_type and event.position == position else None
    return None
