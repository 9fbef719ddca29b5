"""Classify stage: what a send's result comes to (delivered, failed until the next try, or abandoned).

A result that may be retried follows the retry schedule (retry.py) and is abandoned only once the
attempts run out. A result that may not (an unset ``${VAR}``, an unknown scheme, a URL apprise refuses:
nothing was sent, and nothing would be on the next try) is abandoned at its first attempt, with a
one-line reason that ``vigil alerts --failed`` and the dashboard show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from service.delivery.retry import RetryPolicy
from service.delivery.sender import TargetResult
from service.delivery.stages import Attempt, Delivery, Outcome
from service.events.catalog import AlertDelivered, AlertDeliveryAbandoned, AlertDeliveryFailed
from service.store.hashing import timestamp_text
from service.store.records import NewEvent

#: How a permanent failure's reason ends: it tells the reader why there was no second attempt.
PERMANENT = "permanent: not retried"


@dataclass(frozen=True)
class ClassifyStage:
    """Turns the attempt's send result into its outcome."""

    policy: RetryPolicy
    clock: Callable[[], datetime]

    def __call__(self, attempt: Attempt) -> Attempt:
        """The attempt with its outcome (one decided before it was sent keeps its own)."""
        if attempt.outcome is not None:
            return attempt
        if attempt.result is None:
            raise ValueError("classify needs a send result: the send stage runs first")
        now = self.clock()
        # One result for every delivery the message carried: each gets its own events (its own attempt count).
        outcomes = [classify(d, d.attempts + 1, attempt.result, self.policy, now) for d in attempt.sent]
        first = outcomes[0]
        events = (*attempt.settled, *(event for outcome in outcomes for event in outcome.events))
        return replace(attempt, outcome=replace(first, events=events))


def classify(delivery: Delivery, number: int, result: TargetResult, policy: RetryPolicy, now: datetime) -> Outcome:
    """The outcome of attempt ``number`` of ``delivery``, and the events that record it."""
    key = {
        "alert_id": delivery.alert_id,
        "subscriber": delivery.subscriber,
        "target_index": delivery.target_index,
        # As sent (redacted): a URL kept in the environment shows its channel from the first attempt on.
        "target": result.target or delivery.target,
    }
    if result.ok:
        return Outcome("delivered", (NewEvent(AlertDelivered.TYPE, AlertDelivered(**key, attempt=number).to_data()),))
    error = result.error or "delivery failed"
    if not result.retryable:
        error = f"{error} ({PERMANENT})"
    next_attempt = policy.next_attempt(number, now) if result.retryable else None
    failed = AlertDeliveryFailed(
        **key, attempt=number, error=error, next_attempt=timestamp_text(next_attempt) if next_attempt else None
    )
    events = (NewEvent(AlertDeliveryFailed.TYPE, failed.to_data()),)
    if next_attempt is not None:
        return Outcome("failed", events, error)
    abandoned = AlertDeliveryAbandoned(**key, attempts=number, error=error)
    return Outcome(
        "abandoned",
        (*events, NewEvent(AlertDeliveryAbandoned.TYPE, abandoned.to_data())),
        error,
        permanent=not result.retryable,
    )
