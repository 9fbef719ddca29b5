"""The delivery worker: claims due deliveries, sends each through apprise, records the outcome.

Guarantee: at least once, and exactly once unless the process dies between a send and its record.
A claim is a lease taken in a write transaction, so two daemons never send the same delivery; a
daemon that dies mid-send leaves a lease behind, and the delivery is sent again once the lease expires
or, on the same machine, as soon as another daemon sees its holder is dead (service/store/owners.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from service.delivery.retry import RetryPolicy
from service.delivery.sender import TargetResult, send
from service.events.catalog import AlertDelivered, AlertDeliveryAbandoned, AlertDeliveryFailed, AlertRaised
from service.store.hashing import timestamp_text
from service.store.leases import claim, release
from service.store.recorder import EventStore
from service.store.records import NewEvent

log = logging.getLogger("vigil.delivery")

Sender = Callable[..., list[TargetResult]]
SEND_TIMEOUT = 30.0

_DUE = text(
    "SELECT alert_id, subscriber, target_index, url, target, attempts FROM deliveries "
    "WHERE status IN ('pending', 'failed') AND next_attempt <= :now ORDER BY next_attempt LIMIT :limit"
)


@dataclass(frozen=True)
class Delivery:
    """One claimed (alert, subscriber, URL) to send."""

    alert_id: str
    subscriber: str
    target_index: int
    url: str
    target: str
    attempts: int

    @property
    def lease(self) -> str:
        """The lease name that claims this delivery."""
        return f"delivery:{self.alert_id}:{self.subscriber}:{self.target_index}"


@dataclass
class DeliveryWorker:
    """Sends due deliveries; one instance per daemon (``owner`` names it in leases)."""

    store: EventStore
    owner: str
    env: Mapping[str, str]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    #: A send takes at most the sender's timeout; a claim left by a killed daemon expires soon after.
    lease_for: timedelta = timedelta(seconds=SEND_TIMEOUT + 15)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sender: Sender = send

    def run_due(self, limit: int = 50) -> int:
        """Send every delivery that is due now (up to ``limit``); return how many were attempted."""
        claimed = self._claim(limit)
        for delivery in claimed:
            self._deliver(delivery)
        return len(claimed)

    def _claim(self, limit: int) -> list[Delivery]:
        now = self.clock()
        with self.store.transaction() as tx:
            rows = tx.connection.execute(_DUE, {"now": timestamp_text(now), "limit": limit}).fetchall()
            due = [Delivery(*row) for row in rows]
            return [
                d
                for d in due
                if claim(tx.connection, d.lease, self.owner, now=now, until=now + self.lease_for)
            ]

    def _deliver(self, delivery: Delivery) -> None:
        raised = self._alert(delivery.alert_id)
        result = self.sender([delivery.url], raised.title, raised.body, env=self.env, timeout=SEND_TIMEOUT)[0]
        attempt = delivery.attempts + 1
        now = self.clock()
        key = {
            "alert_id": delivery.alert_id,
            "subscriber": delivery.subscriber,
            "target_index": delivery.target_index,
            "target": delivery.target,
        }
        events: Sequence[NewEvent]
        if result.ok:
            events = [NewEvent(AlertDelivered.TYPE, AlertDelivered(**key, attempt=attempt).to_data())]
        else:
            error = result.error or "delivery failed"
            next_attempt = self.policy.next_attempt(attempt, now)
            failed = AlertDeliveryFailed(
                **key,
                attempt=attempt,
                error=error,
                next_attempt=timestamp_text(next_attempt) if next_attempt else None,
            )
            events = [NewEvent(AlertDeliveryFailed.TYPE, failed.to_data())]
            if next_attempt is None:
                abandoned = AlertDeliveryAbandoned(**key, attempts=attempt, error=error)
                events = [*events, NewEvent(AlertDeliveryAbandoned.TYPE, abandoned.to_data())]
        with self.store.transaction() as tx:
            tx.append(f"alert:{delivery.alert_id}", events)
            release(tx.connection, delivery.lease, self.owner)
        _log_outcome(delivery, attempt, result, events)

    def _alert(self, alert_id: str) -> AlertRaised:
        first = self.store.read_stream(f"alert:{alert_id}")[0]
        return AlertRaised.from_data(first.data)


def _log_outcome(delivery: Delivery, attempt: int, result: TargetResult, events: Sequence[NewEvent]) -> None:
    # Failed and abandoned deliveries were only events: a daemon's log said nothing about an alert that
    # nobody received. The target is the stored, redacted one; the sender already scrubbed the error.
    where = f"alert {delivery.alert_id} to {delivery.subscriber} {delivery.target}"
    if result.ok:
        log.info("delivered %s (attempt %d)", where, attempt, extra={"alert_id": delivery.alert_id})
    elif events[-1].type == AlertDeliveryAbandoned.TYPE:
        log.error(
            "abandoned %s after %d attempts: %s; resend with `vigil deliver --retry %s`",
            where,
            attempt,
            result.error,
            delivery.alert_id,
            extra={"alert_id": delivery.alert_id},
        )
    else:
        log.warning(
            "failed to deliver %s (attempt %d): %s; will retry",
            where,
            attempt,
            result.error,
            extra={"alert_id": delivery.alert_id},
        )
