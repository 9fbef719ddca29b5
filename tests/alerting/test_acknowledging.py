"""``vigil ack``'s rule: an acknowledgement covers the alerts of the item's current state, and no alert
raised after the item changes again; wrong requests record nothing."""

from __future__ import annotations

import pytest

from service.alerting.acknowledging import AcknowledgeError, acknowledge_item
from service.delivery.status import recent_alerts
from service.events.catalog import AlertRaised, ItemStateChanged
from service.pipeline.wiring import open_pipeline_store
from service.store.recorder import EventStore
from service.store.records import NewEvent

KNOWN = {"exchange", "ceasefire"}


def change(store: EventStore, to_value: str, alert_ids: list[str]) -> None:
    """The item ``exchange`` moves to ``to_value`` and raises ``alert_ids``."""
    moved = ItemStateChanged(item="exchange", from_value="x", to_value=to_value, evidence_ids=[], sentences=[],
                             links=[], sources=[], published="2025-06-02T14:00:00+00:00")
    [recorded] = store.append("item:exchange", [NewEvent(ItemStateChanged.TYPE, moved.to_data())])
    for alert_id in alert_ids:
        raised = AlertRaised(alert_id=alert_id, rule=f"rule-{alert_id}", item="exchange", severity="info",
                             title=alert_id, body="", subscribers=[], trigger_position=recorded.position,
                             rules_hash="h")
        store.append(f"alert:{alert_id}", [NewEvent(AlertRaised.TYPE, raised.to_data())], expected_version=0)


def acknowledged(store: EventStore) -> dict[str, str | None]:
    return {alert.alert_id: alert.acknowledged_reason for alert in recent_alerts(store)}


def test_an_acknowledgement_lasts_until_the_item_changes_again(sqlite_url: str) -> None:
    store = open_pipeline_store(sqlite_url)
    try:
        with pytest.raises(AcknowledgeError, match="has not changed state yet"):
            acknowledge_item(store, "exchange", known_items=KNOWN)
        change(store, "agreed", ["al-1", "al-2"])
        done = acknowledge_item(store, "exchange", known_items=KNOWN, reason="seen")
        assert (done.value, done.alert_ids) == ("agreed", ["al-1", "al-2"])
        assert acknowledged(store) == {"al-1": "seen", "al-2": "seen"}

        change(store, "completed", ["al-3"])
        assert acknowledged(store)["al-3"] is None  # the new state's alert is not acknowledged
        acknowledge_item(store, "exchange", known_items=KNOWN, reason="again")
        assert acknowledged(store) == {"al-1": "seen", "al-2": "seen", "al-3": "again"}

        change(store, "collapsed", [])  # a change no rule alerted on
        before = store.last_position()
        for item, message in [("exchange", "raised no alert when it became 'collapsed'"),
                              ("gaza", "unknown item 'gaza' (known: ceasefire, exchange)")]:
            with pytest.raises(AcknowledgeError, match=message.replace("(", r"\(").replace(")", r"\)")):
                acknowledge_item(store, item, known_items=KNOWN)
        with pytest.raises(AcknowledgeError, match="line break"):
            acknowledge_item(store, "exchange", known_items=KNOWN, reason="a\nb")
        assert store.last_position() == before
    finally:
        store.close()
