"""When to try a failed delivery again: exponential backoff with a cap, then give up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_BASE = timedelta(seconds=30)
DEFAULT_FACTOR = 2.0
DEFAULT_CAP = timedelta(hours=1)
DEFAULT_MAX_ATTEMPTS = 8


def next_attempt(attempt: int, now: datetime, base: timedelta = DEFAULT_BASE, factor: float = DEFAULT_FACTOR,
                 cap: timedelta = DEFAULT_CAP, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> datetime | None:
    """When to retry after failed attempt number ``attempt`` (1 = the first send), or None to abandon.

    The delay is ``base * factor ** (attempt - 1)``, at most ``cap``: 30s, 1m, 2m, 4m … 1h with the
    defaults. After ``max_attempts`` attempts in all there is no next one.
    """
    if attempt < 1:
        raise ValueError(f"attempt numbers start at 1, got {attempt}")
    if attempt >= max_attempts:
        return None
    # Grow step by step and stop at the cap, so no number of attempts can overflow.
    delay, limit = base.total_seconds(), cap.total_seconds()
    for _ in range(attempt - 1):
        if delay >= limit:
            break
        delay *= factor
    return now + timedelta(seconds=min(delay, limit))


@dataclass(frozen=True)
class RetryPolicy:
    """A configured backoff schedule (the daemon's ``--retry-base``, ``--retry-cap``, ``--max-attempts``)."""

    base: timedelta = DEFAULT_BASE
    factor: float = DEFAULT_FACTOR
    cap: timedelta = DEFAULT_CAP
    max_attempts: int = DEFAULT_MAX_ATTEMPTS

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base < timedelta(0) or self.cap < timedelta(0) or self.factor < 1:
            raise ValueError("retry base and cap must not be negative, and factor must be at least 1")

    def next_attempt(self, attempt: int, now: datetime) -> datetime | None:
        """When to retry after failed attempt number ``attempt``, or None when it is time to give up."""
        return next_attempt(attempt, now, self.base, self.factor, self.cap, self.max_attempts)
