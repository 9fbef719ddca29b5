"""Route stage: which subscribers hear about an alert, and at which URLs. The one reader of ``subscribers``.

The delivery projection (service/delivery/projection.py) is the only writer of the ``subscribers``
table; everyone else reads it here: the alert engine when it names an alert's recipients (it is handed
``routes`` by whoever wires the pipeline, so alerting imports nothing of delivery), the recording of
the rules' subscribers, ``vigil subscribe list`` and the HTTP API.

An alert's recipients are chosen once, when it is raised, and recorded in its ``AlertRaised``; the
projection then expands each recipient into one delivery per URL, as the subscriber was at that point
of the log. So replaying the log rebuilds exactly the deliveries the live daemon had.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, text

from service.masking.apprise_urls import redact
from service.rules.models import SEVERITY_RANK, AlertRule, ItemSpec, SubscriberSpec

_COLUMNS = "SELECT name, urls, items, tags, min_severity, origin, shown, group_seconds, digest FROM subscribers"
_ALL = text(f"{_COLUMNS} ORDER BY name")
_NAMED = text(f"{_COLUMNS} WHERE name IN :names ORDER BY name").bindparams(bindparam("names", expanding=True))
_WITH_DIGEST = text(f"{_COLUMNS} WHERE digest IS NOT NULL ORDER BY name")


@dataclass(frozen=True)
class Subscriber:
    """A subscriber as recorded: ``urls`` as the log has them (``${ENV}`` references unexpanded, literal
    secrets sealed as ``${VIGIL_SECRET_<id>}``), ``shown`` the same URLs redacted, for display."""

    name: str
    urls: list[str]
    items: list[str]
    tags: list[str]
    min_severity: str
    origin: str
    shown: list[str] = field(default_factory=list)
    group_seconds: float | None = None  # alerts within this window go out as one message
    digest: dict[str, Any] | None = None  # a daily digest: at, tz, immediate, when_empty

    @property
    def digest_only(self) -> bool:
        """Whether this subscriber hears of alerts only in its digest (not at once)."""
        return self.digest is not None and not self.digest.get("immediate", False)


def read_subscribers(conn: Connection, names: list[str] | None = None) -> dict[str, Subscriber]:
    """The subscribers the log has now, by name (only ``names`` when given), in name order."""
    if names is None:
        rows = conn.execute(_ALL).fetchall()
    else:
        rows = conn.execute(_NAMED, {"names": names}).fetchall() if names else []
    return _subscribers(rows)


def digest_subscribers(conn: Connection) -> list[Subscriber]:
    """The subscribers that have a digest, in name order (read on every delivery pass: most have none)."""
    return list(_subscribers(conn.execute(_WITH_DIGEST).fetchall()).values())


def _subscribers(rows: Sequence[Sequence[Any]]) -> dict[str, Subscriber]:
    return {
        row[0]: Subscriber(row[0], json.loads(row[1]), json.loads(row[2]), json.loads(row[3]), row[4], row[5],
                           json.loads(row[6]) if row[6] is not None else [redact(url) for url in json.loads(row[1])],
                           row[7], json.loads(row[8]) if row[8] else None)
        for row in rows
    }


_ADDED = text("SELECT added_position FROM subscribers WHERE name = :name")


def added_position(conn: Connection, name: str) -> int | None:
    """The log position at which subscriber ``name`` was last added or changed, or None."""
    value = conn.execute(_ADDED, {"name": name}).scalar()
    return None if value is None else int(value)


@dataclass(frozen=True)
class Routes:
    """The subscribers at one moment, and who of them hears about which alert."""

    subscribers: Mapping[str, Subscriber | SubscriberSpec]

    def recipients(self, rule: AlertRule, item_id: str, item: ItemSpec) -> list[str]:
        """The subscribers to notify when ``rule`` fires for ``item_id`` (see ``recipients``)."""
        return recipients(rule, item_id, item, self.subscribers)


def routes(conn: Connection) -> Routes:
    """The routes as the log has them now: what the alert engine asks when it raises an alert."""
    return Routes(read_subscribers(conn))


def recipients(rule: AlertRule, item_id: str, item: ItemSpec,
               subscribers: Mapping[str, Subscriber | SubscriberSpec]) -> list[str]:
    """The names of the subscribers to notify when ``rule`` fires for ``item_id``, in a stable order.

    A rule with a ``notify`` list reaches the subscribers it names (in that order; unknown names are
    skipped, ``vigil check`` reports them); a rule without one reaches every subscriber (by name), so that
    subscribers added with ``vigil subscribe add`` hear about the items they filter for. Either way each
    subscriber's own filters apply: its items, its tags, and its minimum severity.
    """
    names = list(dict.fromkeys(rule.notify)) if rule.notify else sorted(subscribers)
    return [name for name in names
            if name in subscribers and wants(subscribers[name], rule, item_id, item)]


def wants(subscriber: Subscriber | SubscriberSpec, rule: AlertRule, item_id: str, item: ItemSpec) -> bool:
    """Whether ``subscriber``'s filters accept an alert of ``rule`` about ``item_id``."""
    if subscriber.items and item_id not in subscriber.items:
        return False
    if subscriber.tags and not set(subscriber.tags) & set(item.tags):
        return False
    return SEVERITY_RANK[rule.severity] >= SEVERITY_RANK[subscriber.min_severity]
