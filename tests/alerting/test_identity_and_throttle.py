"""Deterministic alert ids and the throttle decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.alerting.identity import alert_id
from service.alerting.throttle import is_throttled


def test_alert_ids_are_deterministic_and_distinct() -> None:
    assert alert_id("ceasefire-agreed", 42) == alert_id("ceasefire-agreed", 42)
    assert alert_id("ceasefire-agreed", 42).startswith("al-")
    assert alert_id("ceasefire-agreed", 42) != alert_id("ceasefire-agreed", 43)
    assert alert_id("ceasefire-agreed", 42) != alert_id("ceasefire-other", 42)
    # the rule name and the position cannot run into each other
    assert alert_id("a1", 2) != alert_id("a", 12)


NOON = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)


def test_no_previous_alert_or_no_throttle_is_never_throttled() -> None:
    assert not is_throttled(None, timedelta(hours=1), NOON)
    assert not is_throttled(NOON, None, NOON)


def test_throttled_within_the_period_and_free_from_its_end() -> None:
    hour = timedelta(hours=1)
    assert is_throttled(NOON, hour, NOON + timedelta(minutes=59))
    assert not is_throttled(NOON, hour, NOON + hour)
    assert not is_throttled(NOON, hour, NOON + timedelta(hours=2))


def test_naive_times_are_taken_as_utc() -> None:
    naive_noon = datetime(2025, 6, 2, 12, 0)
    assert is_throttled(naive_noon, timedelta(hours=1), NOON + timedelta(minutes=30))
