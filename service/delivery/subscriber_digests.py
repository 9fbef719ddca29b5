"""Subscriber digests: once a day, at a subscriber's local time, every alert routed to it since its last digest,
in one message.

A digest is compiled when its time of day has passed (checked each time the delivery worker runs): its
id is derived from (subscriber, scheduled time) and its ``AlertRaised`` must open a new stream, so it is
compiled once however many daemons look and however often they restart. The digest is then delivered as
any alert is (lease, retries, exactly once outside the send window), and listed with the alerts. A
``DigestCompiled`` on the ``digests:<subscriber>`` stream records which alerts it carried and the log
positions it covered; the next digest starts where it ended. A day with no alert sends nothing, or a
"no change" message when the subscriber asked for one (``when_empty: say``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from service.alerting.reads import alerts_raised_between
from service.delivery.projection import DIGEST_RULE_PREFIX
from service.delivery.route import Subscriber, added_position, read_subscribers
from service.delivery.status import alerts_to
from service.events.catalog import AlertRaised, DigestCompiled
from service.rules.models import SEVERITY_RANK
from service.store.errors import ConcurrencyError
from service.store.hashing import timestamp_text
from service.store.recorder import EventStore
from service.store.records import NewEvent

#: The item a digest's AlertRaised names: a digest is about every item.
DIGEST_ITEM = "(digest)"


def scheduled_at(digest: Mapping[str, Any], now: datetime) -> datetime:
    """The latest time at or before ``now`` when ``digest`` falls due (its ``at`` in its ``tz``), in UTC."""
    zone = ZoneInfo(digest.get("tz", "UTC"))
    hour, minute = (int(part) for part in digest["at"].split(":"))
    local = now.astimezone(zone)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if slot > local:
        slot = (local - timedelta(days=1)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return slot.astimezone(UTC)


def digest_id(subscriber: str, scheduled: datetime) -> str:
    """The id of ``subscriber``'s digest due at ``scheduled``: the same for every daemon that compiles it."""
    return "dg-" + hashlib.sha256(f"{subscriber}\n{timestamp_text(scheduled)}".encode()).hexdigest()[:16]


def compile_due_digests(store: EventStore, now: datetime) -> list[str]:
    """Compile every digest whose time has come and that no one has compiled; the ids of those compiled."""
    with store.reading() as conn:
        subscribers = [s for s in read_subscribers(conn).values() if s.digest]
    return [found for s in subscribers if (found := _compile(store, s, now)) is not None]


def _compile(store: EventStore, subscriber: Subscriber, now: datetime) -> str | None:
    assert subscriber.digest is not None
    scheduled = scheduled_at(subscriber.digest, now)
    last = store.read_stream(f"digests:{subscriber.name}", last=1)
    if last:
        if last[0].data["scheduled_at"] >= timestamp_text(scheduled):
            return None  # this one (or a later one) is compiled already
        after = int(last[0].data["to_position"])
    else:
        with store.reading() as conn:
            after = added_position(conn, subscriber.name) or 0
        added = store.read_event(after) if after else None
        if added is not None and added.recorded_at > scheduled:
            return None  # the subscriber did not exist yet when this digest fell due
    upto = store.last_position()
    members = _members(store, subscriber.name, after, upto)
    if not members and subscriber.digest.get("when_empty", "skip") == "skip":
        return None
    identity = digest_id(subscriber.name, scheduled)
    raised = _digest_alert(identity, subscriber, scheduled, members, upto)
    compiled = DigestCompiled(digest_id=identity, subscriber=subscriber.name, scheduled_at=timestamp_text(scheduled),
                              from_position=after, to_position=upto, alert_ids=[m.alert_id for m in members])
    try:
        with store.transaction() as tx:
            tx.append(f"alert:{identity}", [NewEvent(AlertRaised.TYPE, raised.to_data())], expected_version=0)
            tx.append(f"digests:{subscriber.name}", [NewEvent(DigestCompiled.TYPE, compiled.to_data())])
    except ConcurrencyError:
        return None  # another daemon compiled it first
    return identity


def _members(store: EventStore, subscriber: str, after: int, upto: int) -> list[AlertRaised]:
    """The alerts routed to ``subscriber`` and raised between the two positions, as raised (with their body)."""
    with store.reading() as conn:
        rows = [r for r in alerts_raised_between(conn, after, upto) if not r.rule.startswith(DIGEST_RULE_PREFIX)]
        routed = alerts_to(conn, [row.alert_id for row in rows], subscriber)
    return [AlertRaised.from_data(store.read_stream(f"alert:{row.alert_id}")[0].data)
            for row in rows if row.alert_id in routed]


def _digest_alert(identity: str, subscriber: Subscriber, scheduled: datetime, members: list[AlertRaised],
                  upto: int) -> AlertRaised:
    assert subscriber.digest is not None
    zone = subscriber.digest.get("tz", "UTC")
    local = scheduled.astimezone(ZoneInfo(zone))
    when = f"{local:%d %b %Y %H:%M} {zone}"
    if members:
        title = f"Vigil digest, {when}: {len(members)} alert{'s' if len(members) != 1 else ''}"
        body = "\n\n".join(f"{number}. {alert.title}\n{alert.body}" for number, alert in enumerate(members, 1))
        severity = max((alert.severity for alert in members), key=SEVERITY_RANK.__getitem__)
    else:
        title, body, severity = f"Vigil digest, {when}: no change", "No alert since the last digest.", "info"
    return AlertRaised(alert_id=identity, rule=f"{DIGEST_RULE_PREFIX}{subscriber.name}", item=DIGEST_ITEM,
                       severity=severity, title=title, body=body, subscribers=[subscriber.name],
                       trigger_position=upto, rules_hash="")
