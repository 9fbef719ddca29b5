"""Poll scheduling: jittered intervals after success, capped exponential back-off after failures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from service.sources.backoff import next_poll_after_failure, next_poll_after_success

NOW = datetime(2025, 6, 7, 12, 0, tzinfo=UTC)
EVERY = timedelta(minutes=5)


def test_success_waits_the_interval_within_the_jitter() -> None:
    rng = random.Random(7)
    delays = [next_poll_after_success(EVERY, NOW, rng=rng) - NOW for _ in range(500)]
    assert all(timedelta(minutes=4.5) <= d <= timedelta(minutes=5.5) for d in delays)
    assert len(set(delays)) > 400  # spread out, not in lockstep


def test_same_seed_same_schedule() -> None:
    first = [next_poll_after_success(EVERY, NOW, rng=random.Random(3)) for _ in range(3)]
    again = [next_poll_after_success(EVERY, NOW, rng=random.Random(3)) for _ in range(3)]
    assert first == again
    assert next_poll_after_failure(EVERY, 2, NOW, rng=random.Random(3)) == next_poll_after_failure(
        EVERY, 2, NOW, rng=random.Random(3))


def test_no_jitter_is_exact() -> None:
    assert next_poll_after_success(EVERY, NOW, jitter_fraction=0) == NOW + EVERY
    delays = [next_poll_after_failure(EVERY, n, NOW, jitter_fraction=0) - NOW for n in range(1, 7)]
    assert delays == [EVERY, 2 * EVERY, 4 * EVERY, 8 * EVERY, 8 * EVERY, 8 * EVERY]


def test_failure_back_off_is_capped_at_six_hours() -> None:
    hourly = timedelta(hours=1)
    assert next_poll_after_failure(hourly, 10, NOW, jitter_fraction=0) == NOW + timedelta(hours=6)


def test_failure_never_polls_sooner_than_the_interval() -> None:
    daily = timedelta(days=1)
    assert next_poll_after_failure(daily, 5, NOW, jitter_fraction=0) == NOW + daily


def test_months_of_failures_do_not_overflow() -> None:
    later = next_poll_after_failure(timedelta(days=30), 100_000, NOW, rng=random.Random(1))
    assert later - NOW <= timedelta(days=33)


def test_failure_delay_is_jittered() -> None:
    rng = random.Random(11)
    delays = {next_poll_after_failure(EVERY, 3, NOW, rng=rng) - NOW for _ in range(100)}
    assert len(delays) > 90
    assert all(timedelta(minutes=18) <= d <= timedelta(minutes=22) for d in delays)


@pytest.mark.parametrize("call", [
    lambda: next_poll_after_success(timedelta(0), NOW),
    lambda: next_poll_after_success(EVERY, NOW, jitter_fraction=1.5),
    lambda: next_poll_after_failure(EVERY, 0, NOW),
])
def test_nonsense_is_refused(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]
