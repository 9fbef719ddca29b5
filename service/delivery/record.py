"""Record stage: the attempt's events appended and its lease released in one transaction, then logged.

The durable checkpoint of a delivery is its events: once they commit, no daemon sends it again. A
daemon that dies after a send and before this commit leaves the delivery due, and it is sent again
once the lease is gone: at least once, and exactly once outside that window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from service.delivery.stages import Attempt
from service.store.leases import release
from service.store.recorder import EventStore
from service.store.records import NewEvent

log = logging.getLogger("vigil.delivery")


@dataclass(frozen=True)
class RecordStage:
    """Records the attempt's outcome as ``owner``, and gives the lease back."""

    store: EventStore
    owner: str

    def __call__(self, attempt: Attempt) -> Attempt:
        """The attempt, recorded."""
        delivery, outcome, lease = attempt.delivery, attempt.outcome, attempt.lease
        if outcome is None or lease is None:
            raise ValueError("record needs a leased, classified attempt: the lease and classify stages run first")
        lease.stop()  # no renewal may race the release below
        if lease.lost:
            log.error(
                "lost the lease on alert %s to %s while sending it (this daemon stalled for longer than the "
                "lease); another daemon may have sent it too",
                delivery.alert_id,
                delivery.subscriber,
                extra={"alert_id": delivery.alert_id},
            )
        streams: dict[str, list[NewEvent]] = {}  # a group's events go to each member alert's stream
        for event in outcome.events:
            streams.setdefault(f"alert:{event.data['alert_id']}", []).append(event)
        with self.store.transaction() as tx:
            for stream, events in streams.items():
                tx.append(stream, events)
            release(tx.connection, lease.name, self.owner)
        _log_outcome(attempt)
        return attempt


def _log_outcome(attempt: Attempt) -> None:
    # Failed and abandoned deliveries were only events: a daemon's log said nothing about an alert that
    # nobody received. The target is the stored, redacted one; the sender already scrubbed the error.
    delivery, outcome = attempt.delivery, attempt.outcome
    assert outcome is not None
    alerts = ", ".join(d.alert_id for d in attempt.sent)
    where = f"alert{'s' if len(attempt.sent) > 1 else ''} {alerts} to {delivery.subscriber} {delivery.target}"
    extra = {"alert_id": delivery.alert_id}
    if outcome.status == "silenced":
        log.info("silenced %s: %s; not sent", where, outcome.error, extra=extra)
    elif outcome.status == "delivered":
        log.info("delivered %s (attempt %d)", where, attempt.number, extra=extra)
    elif outcome.permanent:
        log.error("abandoned %s at once: %s; once fixed, resend with `vigil deliver --retry %s`",
                  where, outcome.error, delivery.alert_id, extra=extra)
    elif outcome.status == "abandoned":
        log.error("abandoned %s after %d attempts: %s; resend with `vigil deliver --retry %s`",
                  where, attempt.number, outcome.error, delivery.alert_id, extra=extra)
    else:
        log.warning("failed to deliver %s (attempt %d): %s; will retry", where, attempt.number, outcome.error,
                    extra=extra)
