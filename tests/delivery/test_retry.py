"""The retry schedule of failed deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.delivery.retry import RetryPolicy, next_attempt

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def test_delays_double_from_the_base_up_to_the_cap_then_the_delivery_is_abandoned() -> None:
    delays = [next_attempt(attempt, NOW) for attempt in range(1, 9)]
    assert [d - NOW for d in delays[:7] if d] == [
        timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
        timedelta(minutes=8), timedelta(minutes=16), timedelta(minutes=32),
    ]
    assert delays[7] is None  # the 8th failed attempt was the last


def test_the_cap_bounds_every_delay_even_after_many_attempts() -> None:
    assert next_attempt(500, NOW, max_attempts=1000) == NOW + timedelta(hours=1)


def test_a_policy_carries_its_own_base_cap_and_limit() -> None:
    policy = RetryPolicy(base=timedelta(milliseconds=10), cap=timedelta(milliseconds=30), max_attempts=4)
    assert policy.next_attempt(1, NOW) == NOW + timedelta(milliseconds=10)
    assert policy.next_attempt(2, NOW) == NOW + timedelta(milliseconds=20)
    assert policy.next_attempt(3, NOW) == NOW + timedelta(milliseconds=30)
    assert policy.next_attempt(4, NOW) is None


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError):
        next_attempt(0, NOW)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
