"""Classify stage: a send's result becomes delivered, failed until the next try, or abandoned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.delivery.classify import PERMANENT, classify
from service.delivery.retry import RetryPolicy
from service.delivery.sender import TargetResult
from service.delivery.stages import Delivery
from service.store.hashing import timestamp_text

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
DELIVERY = Delivery("al-1", "ops", 0, "json://127.0.0.1/hook", "json://127.0.0.1/hook", attempts=0)
POLICY = RetryPolicy(max_attempts=3)


def _types(outcome: object) -> list[str]:
    return [event.type for event in outcome.events]  # type: ignore[attr-defined]


def test_a_success_is_delivered() -> None:
    outcome = classify(DELIVERY, 1, TargetResult("json://127.0.0.1/hook", True), POLICY, NOW)
    assert outcome.status == "delivered" and _types(outcome) == ["AlertDelivered"]
    assert outcome.events[0].data["attempt"] == 1


def test_a_retryable_failure_waits_for_its_next_attempt_then_is_abandoned_at_the_limit() -> None:
    result = TargetResult("json://127.0.0.1/hook", False, "JSON failed: 500")
    first = classify(DELIVERY, 1, result, POLICY, NOW)
    assert first.status == "failed" and _types(first) == ["AlertDeliveryFailed"]
    assert first.events[0].data["next_attempt"] == timestamp_text(NOW + timedelta(seconds=30))
    last = classify(DELIVERY, 3, result, POLICY, NOW)
    assert last.status == "abandoned" and not last.permanent
    assert _types(last) == ["AlertDeliveryFailed", "AlertDeliveryAbandoned"]
    assert last.error == "JSON failed: 500"


def test_a_permanent_failure_is_abandoned_at_its_first_attempt_saying_why() -> None:
    result = TargetResult("json://***", False, "cannot expand json://***: MISSING_KEY is not set", retryable=False)
    outcome = classify(DELIVERY, 1, result, POLICY, NOW)
    assert outcome.status == "abandoned" and outcome.permanent
    assert _types(outcome) == ["AlertDeliveryFailed", "AlertDeliveryAbandoned"]
    assert outcome.events[0].data["next_attempt"] is None and outcome.events[1].data["attempts"] == 1
    assert outcome.error == f"cannot expand json://***: MISSING_KEY is not set ({PERMANENT})"
    assert "\n" not in outcome.error
