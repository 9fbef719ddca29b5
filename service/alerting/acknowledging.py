"""``vigil ack ITEM``: the alerts of an item's current state are marked as seen, by an ``ItemAcknowledged``.

An acknowledgement covers the alerts that the item's latest state change raised, and no later ones: when
the item changes again, the new alerts are unacknowledged. Vigil sends no reminders or repeats today
(each alert is delivered once, retries aside), so acknowledging stops no message; it is what the
listings and the dashboard show, and what a reminder would honour. Checks come first: an unknown item,
an item that has not changed or whose change raised no alert, or one already acknowledged is one line
(AcknowledgeError) and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from service.alerting.acknowledgements import acknowledgements
from service.alerting.reads import alerts_of_item_since
from service.events.catalog import ItemAcknowledged, ItemStateChanged
from service.rules.subscriber_limits import line_problem
from service.store.recorder import EventStore
from service.store.records import NewEvent

#: At most this many characters in an acknowledgement's reason.
MAX_REASON = 500


class AcknowledgeError(ValueError):
    """An acknowledgement that cannot be made; the message names the value at fault."""


class InvalidReason(AcknowledgeError):
    """The reason given cannot be recorded (empty of text, too long, or holding a line break)."""


@dataclass(frozen=True)
class Acknowledged:
    """What ``acknowledge_item`` recorded."""

    item: str
    value: str
    alert_ids: list[str]


def acknowledge_item(store: EventStore, item: str, *, known_items: Collection[str], reason: str = "",
                     origin: str = "cli") -> Acknowledged:
    """Acknowledge the alerts of ``item``'s current state; AcknowledgeError (nothing written) otherwise."""
    if item not in known_items:
        raise AcknowledgeError(f"unknown item {item!r} (known: {', '.join(sorted(known_items)) or 'none'})")
    if reason:
        problem = line_problem("acknowledgement reason", reason, MAX_REASON)
        if problem:
            raise InvalidReason(problem)
    with store.transaction() as tx:
        changes = store.read_stream(f"item:{item}", types=[ItemStateChanged.TYPE], last=1)
        if not changes:
            raise AcknowledgeError(f"item {item!r} has not changed state yet: there is no alert to acknowledge")
        change = changes[0]
        value = str(change.data["to_value"])
        raised = [a.alert_id for a in alerts_of_item_since(tx.connection, item, change.position)]
        if not raised:
            raise AcknowledgeError(f"item {item!r} raised no alert when it became {value!r}: nothing to acknowledge")
        done = acknowledgements(tx.connection, raised)
        if len(done) == len(raised):
            first = min(ack.acknowledged_at for ack in done.values())
            raise AcknowledgeError(f"item {item!r} is already acknowledged in its state {value!r} (at {first})")
        event = ItemAcknowledged(item=item, value=value, change_position=change.position, alert_ids=raised,
                                 reason=reason, origin=origin)
        tx.append(f"ack:{item}", [NewEvent(ItemAcknowledged.TYPE, event.to_data())])
    return Acknowledged(item, value, raised)
