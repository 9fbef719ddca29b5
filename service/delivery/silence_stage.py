"""Silence stage: a delivery that an active silence covers is recorded as silenced, and not sent.

It runs right after the lease stage, so the check and its record are made under the delivery's lease:
two daemons cannot both decide about one delivery, and a silence added while a delivery waits for a
retry holds it back at its next attempt. A silenced delivery is done: it is not sent when the silence
ends (the silence was meant for it); alerts raised after the end are delivered as usual. In a group
(a subscriber's ``group:`` window), each member is judged on its own: the silenced ones are left out of
the message and recorded with its outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from service.alerting.reads import item_of_alert
from service.delivery.silences import Silence, active_silences, covering, tags_of
from service.delivery.stages import Attempt, Delivery, Outcome
from service.events.catalog import AlertDeliverySilenced
from service.store.recorder import EventStore
from service.store.records import NewEvent


@dataclass(frozen=True)
class SilenceStage:
    """Gives the attempt a ``silenced`` outcome when silences cover all it sends; leaves the covered
    members of a group out; passes it on unchanged otherwise."""

    store: EventStore
    clock: Callable[[], datetime]

    def __call__(self, attempt: Attempt) -> Attempt:
        """The attempt, decided (silenced) or still to send."""
        with self.store.reading() as conn:
            active = active_silences(conn, self.clock())
            if not active:
                return attempt
            found: dict[Delivery, list[Silence]] = {}
            for delivery in attempt.sent:
                item = item_of_alert(conn, delivery.alert_id) or ""
                found[delivery] = covering(active, item, tags_of(conn, item), delivery.subscriber)
        silenced = [delivery for delivery, by in found.items() if by]
        if not silenced:
            return attempt
        events = tuple(_silenced(delivery, found[delivery]) for delivery in silenced)
        left = tuple(delivery for delivery in attempt.sent if not found[delivery])
        if left:
            return replace(attempt, members=left, settled=(*attempt.settled, *events))
        every = list(dict.fromkeys(s for delivery in silenced for s in found[delivery]))
        reason = f"silenced by {', '.join(f'{s.silence_id} ({s.shown})' for s in every)}"
        return replace(attempt, outcome=Outcome("silenced", (*attempt.settled, *events), reason))


def _silenced(delivery: Delivery, by: list[Silence]) -> NewEvent:
    event = AlertDeliverySilenced(alert_id=delivery.alert_id, subscriber=delivery.subscriber,
                                  target_index=delivery.target_index, target=delivery.target,
                                  silences=[s.silence_id for s in by])
    return NewEvent(AlertDeliverySilenced.TYPE, event.to_data())
