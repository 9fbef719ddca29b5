"""Silences against a real json:// receiver: a silenced alert is raised and recorded as silenced, never sent;
once the silence ends (expired by hand or by time), the next alert goes through; each delivery is decided once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command

from service.delivery.retry import RetryPolicy
from service.delivery.silences import all_silences, rule_items
from service.delivery.silencing import SilenceError, add_silence, expire_silence
from service.delivery.status import recent_alerts
from service.delivery.worker import DeliveryWorker
from service.events.catalog import AlertDeliverySilenced, AlertRaised, RulesLoaded, SubscriberAdded
from service.history.replay import replay
from service.pipeline.projections import PROJECTIONS
from service.pipeline.wiring import open_pipeline_store
from service.store.database import open_database
from service.store.migrate import alembic_config
from service.store.recorder import EventStore
from service.store.records import NewEvent
from tests.delivery.alerts import delivered, run_side_by_side, stream_types
from tests.support.receivers import JsonReceiver

#: The rules as recorded: two items, one tagged.
ITEMS = {"exchange": ["ukraine", "swap"], "ceasefire": ["ukraine"], "gaza-talks": []}


@pytest.fixture
def pipeline_store(db_url: str) -> Iterator[EventStore]:
    store = open_pipeline_store(db_url)
    rules = RulesLoaded(rules_hash="h", files=["rules.yaml"], items=sorted(ITEMS), alerts=["news"], sources=[],
                        extraction={"items": {item: {"tags": tags} for item, tags in ITEMS.items()}, "cues": {}})
    store.append("config", [NewEvent(RulesLoaded.TYPE, rules.to_data())])
    yield store
    store.close()


def subscribe(store: EventStore, name: str, url: str) -> None:
    store.append("config", [NewEvent(SubscriberAdded.TYPE, SubscriberAdded(name=name, urls=[url]).to_data())])


def raise_alert(store: EventStore, alert_id: str, item: str, subscribers: list[str]) -> None:
    raised = AlertRaised(alert_id=alert_id, rule="news", item=item, severity="warning", title=f"{alert_id} {item}",
                         body="body", subscribers=subscribers, trigger_position=1, rules_hash="h")
    store.append(f"alert:{alert_id}", [NewEvent(AlertRaised.TYPE, raised.to_data())], expected_version=0)


def titles(hook: JsonReceiver) -> list[str]:
    return [request.json()["title"] for request in hook.requests()]


def status_of(store: EventStore, alert_id: str) -> str:
    return next(a.status for a in recent_alerts(store, limit=100) if a.alert_id == alert_id)


def test_a_silenced_alert_is_recorded_but_never_sent_and_an_expired_silence_lets_the_next_through(
    pipeline_store: EventStore,
) -> None:
    store = pipeline_store
    with JsonReceiver() as hook:
        subscribe(store, "ops", hook.url())
        worker = DeliveryWorker(store, "daemon-a", {})
        silence = add_silence(store, {"item": "exchange"}, "2h", "talks under way, we follow them live")
        raise_alert(store, "al-1", "exchange", ["ops"])
        raise_alert(store, "al-2", "ceasefire", ["ops"])  # another item: not covered
        assert worker.run_due() == 2
        assert titles(hook) == ["al-2 ceasefire"]
        assert stream_types(store, "al-1") == ["AlertRaised", "AlertDeliverySilenced"]
        [event] = store.read_stream("alert:al-1", types=[AlertDeliverySilenced.TYPE])
        assert event.data["silences"] == [silence.silence_id]
        [shown] = [a for a in recent_alerts(store) if a.alert_id == "al-1"]
        assert shown.status == "silenced" and shown.deliveries[0].silenced_by == [silence.silence_id]

        expire_silence(store, silence.silence_id)
        raise_alert(store, "al-3", "exchange", ["ops"])
        assert worker.run_due() == 1
        assert titles(hook) == ["al-2 ceasefire", "al-3 exchange"]  # the silenced al-1 is never sent later
        assert worker.run_due() == 0
        assert status_of(store, "al-1") == "silenced" and status_of(store, "al-3") == "delivered"

    # Every table involved is a projection: a replay of the log rebuilds the same rows.
    shown = recent_alerts(store)
    with store.reading() as conn:
        silences = all_silences(conn)
    replay(store, PROJECTIONS)
    with store.reading() as conn:
        assert all_silences(conn) == silences
    assert recent_alerts(store) == shown


def test_a_silence_ends_at_its_until_time(pipeline_store: EventStore) -> None:
    store = pipeline_store
    now = datetime.now(UTC)
    clock = [now + timedelta(minutes=1)]  # after the alerts below are raised: they are due
    with JsonReceiver() as hook:
        subscribe(store, "ops", hook.url())
        worker = DeliveryWorker(store, "daemon-a", {}, clock=lambda: clock[0])
        add_silence(store, {"tag": "swap"}, "1h", "known", now=now)
        raise_alert(store, "al-1", "exchange", ["ops"])
        worker.run_due()
        clock[0] = now + timedelta(hours=1, seconds=1)
        raise_alert(store, "al-2", "exchange", ["ops"])
        worker.run_due()
        assert titles(hook) == ["al-2 exchange"]
        assert status_of(store, "al-1") == "silenced"


def test_tag_and_subscriber_silences_cover_only_what_they_name(pipeline_store: EventStore) -> None:
    store = pipeline_store
    with JsonReceiver() as ops, JsonReceiver() as desk:
        subscribe(store, "ops", ops.url())
        subscribe(store, "desk", desk.url())
        add_silence(store, {"tag": "ukraine"}, "1h", "weekend")
        add_silence(store, {"subscriber": "desk"}, "1h", "desk on holiday")
        raise_alert(store, "al-1", "exchange", ["ops", "desk"])  # tagged ukraine: silenced for both
        raise_alert(store, "al-2", "gaza-talks", ["ops", "desk"])  # untagged: only desk is silenced
        DeliveryWorker(store, "daemon-a", {}).run_due()
        assert titles(ops) == ["al-2 gaza-talks"] and titles(desk) == []
        assert status_of(store, "al-1") == "silenced"
        assert status_of(store, "al-2") == "delivered"  # delivered where it was not silenced


def test_a_silence_added_while_a_delivery_waits_for_its_retry_holds_it_back(pipeline_store: EventStore) -> None:
    store = pipeline_store
    with JsonReceiver(fail_times=1) as hook:
        subscribe(store, "ops", hook.url())
        worker = DeliveryWorker(store, "daemon-a", {}, RetryPolicy(base=timedelta(0)))
        raise_alert(store, "al-1", "exchange", ["ops"])
        worker.run_due()
        assert [r.status for r in hook.requests()] == [500]
        add_silence(store, {"item": "exchange"}, "1h", "enough")
        worker.run_due()
        assert len(hook.requests()) == 1
        assert stream_types(store, "al-1") == ["AlertRaised", "AlertDeliveryFailed", "AlertDeliverySilenced"]


def test_two_workers_decide_each_delivery_once_with_silences_in_force(pipeline_store: EventStore) -> None:
    store = pipeline_store
    with JsonReceiver(delay=0.2) as hook:
        subscribe(store, "ops", hook.url())
        add_silence(store, {"item": "exchange"}, "1h", "quiet")
        ids = [f"al-{n}" for n in range(6)]
        for n, alert_id in enumerate(ids):
            raise_alert(store, alert_id, "exchange" if n % 2 else "ceasefire", ["ops"])
        workers = [DeliveryWorker(store, owner, {}, lease_for=timedelta(seconds=2)) for owner in ("a", "b")]
        run_side_by_side(workers, lambda: all(status_of(store, i) in ("delivered", "silenced") for i in ids),
                         "every alert decided")
        received = Counter(titles(hook))
    assert received == Counter(f"{i} ceasefire" for n, i in enumerate(ids) if n % 2 == 0)
    assert Counter(delivered(store)) == Counter(i for n, i in enumerate(ids) if n % 2 == 0)
    silenced = Counter(e.data["alert_id"] for e in store.read_all(types=[AlertDeliverySilenced.TYPE]))
    assert silenced == Counter(i for n, i in enumerate(ids) if n % 2)


@pytest.mark.parametrize(
    ("matchers", "until", "reason", "message"),
    [
        ({"item": "exchange"}, "2020-01-01T00:00Z", "late", "is not in the future"),
        ({"item": "exchange"}, "yesterday-ish", "bad", "is neither a time"),
        ({"item": "no-such-item"}, "1h", "x", "unknown item 'no-such-item' (known: ceasefire, exchange, gaza-talks)"),
        ({"tag": "no-such-tag"}, "1h", "x", "unknown tag 'no-such-tag' (known: swap, ukraine)"),
        ({"subscriber": "nobody"}, "1h", "x", "unknown subscriber 'nobody' (known: none)"),
        ({"item": "exchange", "tag": "ukraine"}, "1h", "x", "exactly one of --item, --tag or --subscriber"),
        ({}, "1h", "x", "exactly one of --item, --tag or --subscriber"),
        ({"item": "exchange"}, "1h", "two\nlines", "control character or line break"),
        ({"item": "exchange"}, "1h", " ", "silence reason is empty"),
    ],
)
def test_a_wrong_silence_is_one_line_and_records_nothing(
    pipeline_store: EventStore, matchers: dict[str, str | None], until: str, reason: str, message: str
) -> None:
    before = pipeline_store.last_position()
    with pytest.raises(SilenceError) as raised:
        add_silence(pipeline_store, matchers, until, reason)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert pipeline_store.last_position() == before


def test_expiring_an_unknown_or_ended_silence_is_refused(pipeline_store: EventStore) -> None:
    with pytest.raises(SilenceError, match="no silence with id 'sil-nope'"):
        expire_silence(pipeline_store, "sil-nope")
    added = add_silence(pipeline_store, {"item": "exchange"}, "1h", "x")
    expire_silence(pipeline_store, added.silence_id)
    before = pipeline_store.last_position()
    with pytest.raises(SilenceError, match="has already ended"):
        expire_silence(pipeline_store, added.silence_id)
    assert pipeline_store.last_position() == before


def test_a_store_upgraded_in_place_knows_the_items_and_tags_of_its_recorded_rules(db_url: str) -> None:
    # The daemon records its rules again only when they change: migration 0011 fills rule_items itself.
    store = open_pipeline_store(db_url)
    rules = RulesLoaded(rules_hash="h", files=[], items=["exchange"], alerts=[], sources=[],
                        extraction={"items": {"exchange": {"tags": ["swap"]}}, "cues": {}})
    store.append("config", [NewEvent(RulesLoaded.TYPE, rules.to_data())])
    store.close()
    database = open_database(db_url)
    try:
        command.downgrade(alembic_config(database), "0013")
    finally:
        database.engine.dispose()
    store = open_pipeline_store(db_url)
    try:
        with store.reading() as conn:
            assert rule_items(conn) == {"exchange": ["swap"]}
        assert add_silence(store, {"tag": "swap"}, "1h", "upgraded").matcher == "tag"
    finally:
        store.close()
