"""Throttling: no repeat alert for the same rule and item within the rule's throttle period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def is_throttled(last_alert: datetime | None, throttle: timedelta | None, at: datetime) -> bool:
    """Whether an alert at ``at`` is suppressed because the previous one (``last_alert``) is too recent.

    ``last_alert`` is when the same rule last alerted for the same item (None: never). The period is
    half-open: an alert exactly ``throttle`` after the last one goes out. Naive times are taken as UTC,
    because the store's timestamps are UTC whether or not they carry an offset.
    """
    if last_alert is None or throttle is None or throttle <= timedelta(0):
        return False
    return _utc(at) - _utc(last_alert) < throttle


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
