"""Subscriber digests: once a day, at a subscriber's local time, every alert routed to it since its last digest,
in one message.

A digest is compiled when its time of day has passed (checked each time the delivery worker runs): its
id is derived from (subscriber, scheduled time) and its ``AlertRaised`` must open a new stream, so it is
compiled once however many daemons look and however often they restart. The digest is then delivered as
any alert is (lease, retries, exactly once outside the send window), and listed with the alerts. A
``DigestCompiled`` on the ``digests:<subscriber>`` stream records which alerts it carried and the log
positions it covered; the next digest starts where it ended. A day with no alert sends nothing, or a
"no change" message when the subscriber asked for one (``when_empty: say``).

Silences apply to a digest's contents as to any delivery: an alert is left out when a silence covering
it (its item, one of the item's tags, or the subscriber) was in force when the alert was raised (it was
meant for it) or is when the digest is compiled (the digest is the notification). The digest says how
many it left out; for a subscriber that hears only the digest, each left-out delivery is recorded as
silenced (``AlertDeliverySilenced``), so ``vigil alerts`` shows it as such.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from service.alerting.reads import AlertRow, alerts_raised_between
from service.delivery.projection import DIGEST_RULE_PREFIX
from service.delivery.route import Subscriber, added_position, digest_subscribers
from service.delivery.silences import Silence, all_silences, covering, tags_of
from service.delivery.status import alerts_to, waiting_for_digest
from service.events.catalog import AlertDeliverySilenced, AlertRaised, DigestCompiled
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


def compile_due_digests(store: EventStore, now: datetime, subscribers: Sequence[Subscriber] | None = None) -> list[str]:
    """Compile every digest whose time has come and that no one has compiled; the ids of those compiled.

    ``subscribers``: those with a digest, when the caller has read them already (``digest_subscribers``)."""
    if subscribers is None:
        with store.reading() as conn:
            subscribers = digest_subscribers(conn)
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
    with store.reading() as conn:
        rows = _routed(conn, subscriber.name, after, upto)
        silenced = _silenced(conn, subscriber.name, rows, now)
        waiting = waiting_for_digest(conn, list(silenced), subscriber.name)
    # Each alert's AlertRaised, read in one query (one query an alert made a busy day's digest slow).
    raised_events = store.read_events(row.raised_position for row in rows if row.alert_id not in silenced)
    members = [AlertRaised.from_data(raised_events[row.raised_position].data)
               for row in rows if row.alert_id not in silenced]
    if not members and subscriber.digest.get("when_empty", "skip") == "skip":
        return None  # (alerts a silence left out are judged again with the next digest's)
    identity = digest_id(subscriber.name, scheduled)
    raised = _digest_alert(identity, subscriber, scheduled, members, len(silenced), upto)
    compiled = DigestCompiled(digest_id=identity, subscriber=subscriber.name, scheduled_at=timestamp_text(scheduled),
                              from_position=after, to_position=upto, alert_ids=[m.alert_id for m in members],
                              silenced=silenced)
    try:
        with store.transaction() as tx:
            tx.append(f"alert:{identity}", [NewEvent(AlertRaised.TYPE, raised.to_data())], expected_version=0)
            tx.append(f"digests:{subscriber.name}", [NewEvent(DigestCompiled.TYPE, compiled.to_data())])
            for alert_id, index, target in waiting:
                held = AlertDeliverySilenced(alert_id=alert_id, subscriber=subscriber.name, target_index=index,
                                             target=target, silences=silenced[alert_id])
                tx.append(f"alert:{alert_id}", [NewEvent(AlertDeliverySilenced.TYPE, held.to_data())])
    except ConcurrencyError:
        return None  # another daemon compiled it first
    return identity


def _routed(conn: Connection, subscriber: str, after: int, upto: int) -> list[AlertRow]:
    """The alerts routed to ``subscriber`` and raised between the two positions, in the order raised."""
    rows = [r for r in alerts_raised_between(conn, after, upto) if not r.rule.startswith(DIGEST_RULE_PREFIX)]
    routed = alerts_to(conn, [row.alert_id for row in rows], subscriber)
    return [row for row in rows if row.alert_id in routed]


def _silenced(conn: Connection, subscriber: str, rows: list[AlertRow], now: datetime) -> dict[str, list[str]]:
    """The alerts among ``rows`` a silence keeps out of the digest, each with the ids of the silences that do:
    one that covers it and was in force when it was raised, or is now."""
    silences = all_silences(conn)
    if not silences:
        return {}
    compiled_at = timestamp_text(now)
    found: dict[str, list[str]] = {}
    tags: dict[str, list[str]] = {}
    for row in rows:
        live: list[Silence] = [s for s in silences if s.active_at(row.raised_at) or s.active_at(compiled_at)]
        if live and row.item not in tags:
            tags[row.item] = tags_of(conn, row.item)
        by = covering(live, row.item, tags.get(row.item, []), subscriber)
        if by:
            found[row.alert_id] = [s.silence_id for s in by]
    return found


def _digest_alert(identity: str, subscriber: Subscriber, scheduled: datetime, members: list[AlertRaised],
                  silenced: int, upto: int) -> AlertRaised:
    assert subscriber.digest is not None
    zone = subscriber.digest.get("tz", "UTC")
    local = scheduled.astimezone(ZoneInfo(zone))
    when = f"{local:%d %b %Y %H:%M} {zone}"
    left_out = (f"{silenced} alert{'s' if silenced != 1 else ''} left out: silenced (`vigil alerts` lists "
                f"{'them' if silenced != 1 else 'it'})." if silenced else "")
    if members:
        title = f"Vigil digest, {when}: {len(members)} alert{'s' if len(members) != 1 else ''}"
        body = "\n\n".join([*(f"{number}. {alert.title}\n{alert.body}" for number, alert in enumerate(members, 1)),
                             *([left_out] if left_out else [])])
        severity = max((alert.severity for alert in members), key=SEVERITY_RANK.__getitem__)
    else:
        body = "No alert since the last digest." + (f" {left_out}" if left_out else "")
        title, severity = f"Vigil digest, {when}: no change", "info"
    return AlertRaised(alert_id=identity, rule=f"{DIGEST_RULE_PREFIX}{subscriber.name}", item=DIGEST_ITEM,
                       severity=severity, title=title, body=body, subscribers=[subscriber.name],
                       trigger_position=upto, rules_hash="")
