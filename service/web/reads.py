"""What the Atom feed reads: each alert's rendered text and the link to the evidence behind it.

Alerts with their deliveries and sources with their health are one read model shared with the CLI and
the dashboard: ``service.delivery.status`` and ``service.sources.health``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from service.alerting.reads import newest_alerts
from service.events.catalog import AlertRaised, ItemStateChanged
from service.store.recorder import EventStore
from service.store.records import RecordedEvent


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


def alert_stories(store: EventStore, *, limit: int = 50) -> list[AlertStory]:
    """The newest ``limit`` alerts, newest first, with the body they were sent with and the evidence link."""
    with store.reading() as conn:
        rows = newest_alerts(conn, limit=limit)
    # One read for every alert's two events: a feed reader polls this, and 50 alerts made 100 queries.
    events = store.read_events([position for row in rows for position in (row.raised_position, row.trigger_position)])
    stories = []
    for row in rows:
        raised = _event_data(events, row.raised_position, AlertRaised.TYPE)
        change = _event_data(events, row.trigger_position, ItemStateChanged.TYPE)
        links = change.get("links") if change else None
        body = raised.get("body", "") if raised else ""
        stories.append(AlertStory(row.alert_id, row.raised_at, row.item, row.severity, row.title, body,
                                  links[0] if links else None))
    return stories


def _event_data(events: Mapping[int, RecordedEvent], position: int, event_type: str) -> dict[str, object] | None:
    event = events.get(position)
    return dict(event.data) if event and event.type == event_type else None
