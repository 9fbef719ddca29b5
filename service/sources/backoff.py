"""When to poll a source next: its interval after a success, exponentially later after failures.

Both add jitter so that hundreds of sources declared with the same interval (or all failing during
one network outage) spread out instead of polling in lockstep.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_FAILURE_DELAY = timedelta(hours=6)
MAX_FAILURE_FACTOR = 8  # never wait more than this many intervals (nor more than MAX_FAILURE_DELAY)


def next_poll_after_success(
    every: timedelta, now: datetime, jitter_fraction: float = 0.1, *, rng: random.Random | None = None
) -> datetime:
    """``now + every``, moved by up to ``jitter_fraction`` of ``every`` either way."""
    _check_interval(every)
    return now + _jittered(every.total_seconds(), jitter_fraction, rng)


def next_poll_after_failure(
    every: timedelta,
    consecutive_failures: int,
    now: datetime,
    *,
    jitter_fraction: float = 0.1,
    rng: random.Random | None = None,
) -> datetime:
    """Back off after ``consecutive_failures`` (1 for the first) failed polls in a row.

    The delay is ``every``, doubled for each further failure, capped at the smaller of
    ``MAX_FAILURE_FACTOR`` intervals and ``MAX_FAILURE_DELAY`` (but never below ``every``: a failing
    source is not polled more often than a healthy one), then jittered like a success.
    """
    _check_interval(every)
    if consecutive_failures < 1:
        raise ValueError(f"consecutive_failures must be at least 1, not {consecutive_failures}")
    base = every.total_seconds()
    # Exponent bounded so a source failing for months cannot overflow the float.
    grown = base * 2.0 ** min(consecutive_failures - 1, 32)
    cap = max(base, min(base * MAX_FAILURE_FACTOR, MAX_FAILURE_DELAY.total_seconds()))
    return now + _jittered(min(grown, cap), jitter_fraction, rng)


def _jittered(seconds: float, fraction: float, rng: random.Random | None) -> timedelta:
    if not 0 <= fraction < 1:
        raise ValueError(f"jitter_fraction must be in [0, 1), not {fraction}")
    chance = rng if rng is not None else random.Random()
    return timedelta(seconds=seconds * (1 + chance.uniform(-fraction, fraction)))


def _check_interval(every: timedelta) -> None:
    if every <= timedelta(0):
        raise ValueError(f"poll interval must be positive, not {every}")
