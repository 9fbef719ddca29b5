"""Alert rule matching: item, tags, from/to, date kinds, min_sources (who hears: tests/delivery/test_route.py)."""

from __future__ import annotations

from typing import Any

import pytest

from service.alerting.matching import matches
from service.events.catalog import ItemStateChanged
from service.rules.models import UNANNOUNCED, AlertRule, ItemSpec

CEASEFIRE = ItemSpec(title="Ceasefire", tags=["ukraine", "security"], states={"agreed": ["agreed"]})
EXCHANGE_DATE = ItemSpec(title="Date of the next prisoner exchange", kind="date", tags=["ukraine", "prisoners"])


def change(item: str = "ceasefire", from_value: str = "none", to_value: str = "agreed",
           sources: list[str] | None = None) -> ItemStateChanged:
    sources = sources or ["wire"]
    return ItemStateChanged(item=item, from_value=from_value, to_value=to_value,
                            evidence_ids=[f"ev-{i}" for i in range(len(sources))],
                            sentences=["The sides agreed a ceasefire."] * len(sources),
                            links=["https://news.example.org/1"] * len(sources), sources=sources,
                            published="2025-06-02T14:05:00+00:00")


def rule(**when: Any) -> AlertRule:
    extra = {k: when.pop(k) for k in ("min_sources", "severity", "notify") if k in when}
    return AlertRule.model_validate({"name": "r", "when": when, **extra})


def test_a_rule_without_conditions_matches_any_change() -> None:
    assert matches(rule(), change(), CEASEFIRE, 1)


@pytest.mark.parametrize(("when", "expected"), [
    ({"item": "ceasefire"}, True),
    ({"item": "talks"}, False),
    ({"items": ["talks", "ceasefire"]}, True),
    ({"items": ["talks"]}, False),
    ({"tags": ["security", "other"]}, True),
    ({"tags": ["gaza"]}, False),
    ({"from": "none", "to": "agreed"}, True),
    ({"from": "violated"}, False),
    ({"to": "collapsed"}, False),
    ({"item": "ceasefire", "tags": ["gaza"]}, False),  # every given condition must hold
])
def test_item_tag_and_state_conditions(when: dict[str, Any], expected: bool) -> None:
    assert matches(rule(**when), change(), CEASEFIRE, 1) is expected


@pytest.mark.parametrize(("kind", "from_value", "to_value", "expected"), [
    ("set", UNANNOUNCED, "2025-06-09", True),
    ("set", "2025-06-09", "2025-06-16", False),
    ("changed", "2025-06-09", "2025-06-16", True),
    ("changed", UNANNOUNCED, "2025-06-09", False),
    ("unset", "2025-06-09", UNANNOUNCED, True),
    ("unset", UNANNOUNCED, "2025-06-09", False),
    ("any", UNANNOUNCED, "2025-06-09", True),
    ("any", "2025-06-09", UNANNOUNCED, True),
])
def test_date_conditions(kind: str, from_value: str, to_value: str, expected: bool) -> None:
    event = change("exchange_date", from_value, to_value)
    assert matches(rule(date=kind), event, EXCHANGE_DATE, 1) is expected


def test_a_date_condition_never_matches_a_status_item() -> None:
    assert not matches(rule(date="any"), change(), CEASEFIRE, 1)


def test_min_sources_counts_corroborating_sources() -> None:
    two_sources = rule(min_sources=2)
    assert not matches(two_sources, change(sources=["wire"]), CEASEFIRE, 1)
    assert matches(two_sources, change(sources=["wire", "bbc"]), CEASEFIRE, 2)

