"""An item's history read back: each state change with its evidence and the alerts it raised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.alerting.reads import alerts_of_item_since
from service.delivery.status import alert_statuses
from service.events.catalog import ItemStateChanged
from service.store.recorder import EventStore


@dataclass(frozen=True)
class TimelineRow:
    """One state change of an item, with its evidence and the alerts it raised."""

    recorded_at: str
    published: str
    from_value: str
    to_value: str
    sentences: list[str]
    links: list[str]
    sources: list[str]
    alerts: list[dict[str, str]]
    #: The change's place in the item's stream: the cursor of the page of changes older than it.
    version: int = 0


def item_timeline(
    store: EventStore, item: str, since: datetime | None, until: datetime | None, *, last: int | None = None,
    before: int | None = None,
) -> list[TimelineRow]:
    """Every state change of ``item`` whose evidence was published within [since, until], oldest first;
    with ``last``, only the newest ``last`` changes are read, and with ``before`` (a change's ``version``)
    only changes older than that one: a page costs what it shows, however long the story."""
    events = store.read_stream(f"item:{item}", types=[ItemStateChanged.TYPE], last=last, before_version=before)
    if not events:
        return []
    with store.reading() as conn:
        alerts = alerts_of_item_since(conn, item, events[0].position, events[-1].position)
        statuses = alert_statuses(conn, [alert.alert_id for alert in alerts])
    by_trigger: dict[int, list[dict[str, str]]] = {}
    for alert in alerts:
        by_trigger.setdefault(alert.trigger_position, []).append(
            {"alert_id": alert.alert_id, "rule": alert.rule, "status": statuses.get(alert.alert_id, "none")}
        )
    rows = []
    for event in events:
        change = ItemStateChanged.from_data(event.data)
        published = datetime.fromisoformat(change.published)
        if (since and published < since) or (until and published > until):
            continue
        rows.append(
            TimelineRow(
                event.recorded_at.isoformat(timespec="seconds"),
                change.published,
                change.from_value,
                change.to_value,
                list(change.sentences),
                list(change.links),
                list(change.sources),
                by_trigger.get(event.position, []),
                event.stream_version,
            )
        )
    return rows
