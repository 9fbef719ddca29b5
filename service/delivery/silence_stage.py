"""Silence stage: a delivery that an active silence covers is recorded as silenced, and not sent.

It runs right after the lease stage, so the check and its record are made under the delivery's lease:
two daemons cannot both decide about one delivery, and a silence added while a delivery waits for a
retry holds it back at its next attempt. A silenced delivery is done: it is not sent when the silence
ends (the silence was meant for it); alerts raised after the end are delivered as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from service.alerting.reads import item_of_alert
from service.delivery.silences import active_silences, covering, tags_of
from service.delivery.stages import Attempt, Outcome
from service.events.catalog import AlertDeliverySilenced
from service.store.recorder import EventStore
from service.store.records import NewEvent


@dataclass(frozen=True)
class SilenceStage:
    """Gives the attempt a ``silenced`` outcome when a silence covers it; passes it on unchanged otherwise."""

    store: EventStore
    clock: Callable[[], datetime]

    def __call__(self, attempt: Attempt) -> Attempt:
        """The attempt, decided (silenced) or still to send."""
        delivery = attempt.delivery
        with self.store.reading() as conn:
            active = active_silences(conn, self.clock())
            if not active:
                return attempt
            item = item_of_alert(conn, delivery.alert_id) or ""
            found = covering(active, item, tags_of(conn, item), delivery.subscriber)
        if not found:
            return attempt
        silenced = AlertDeliverySilenced(alert_id=delivery.alert_id, subscriber=delivery.subscriber,
                                         target_index=delivery.target_index, target=delivery.target,
                                         silences=[s.silence_id for s in found])
        outcome = Outcome("silenced", (NewEvent(AlertDeliverySilenced.TYPE, silenced.to_data()),),
                          f"silenced by {', '.join(f'{s.silence_id} ({s.shown})' for s in found)}")
        return replace(attempt, outcome=outcome)
