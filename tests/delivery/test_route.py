"""Routing: who of the subscribers hears about an alert (the rule's notify list, each subscriber's filters),
and the one reader of the subscribers the log has."""

from __future__ import annotations

from service.delivery.route import read_subscribers, recipients
from service.delivery.subscriptions import add_subscriber, remove_subscriber
from service.pipeline.wiring import open_pipeline_store
from service.rules.models import AlertRule, ItemSpec, SubscriberSpec
from service.store.recorder import EventStore

CEASEFIRE = ItemSpec(title="Ceasefire", tags=["ukraine", "security"], states={"agreed": ["agreed"]})
EXCHANGE_DATE = ItemSpec(title="Date of the next prisoner exchange", kind="date", tags=["ukraine", "prisoners"])


def rule(**extra: object) -> AlertRule:
    return AlertRule.model_validate({"name": "r", "when": {}, **extra})


SUBSCRIBERS = {
    "everything": SubscriberSpec(urls=["json://127.0.0.1/a"]),
    "ceasefire-only": SubscriberSpec(urls=["json://127.0.0.1/b"], items=["ceasefire"]),
    "prisoners": SubscriberSpec(urls=["json://127.0.0.1/c"], tags=["prisoners"]),
    "critical-only": SubscriberSpec(urls=["json://127.0.0.1/d"], min_severity="critical"),
}


def test_recipients_follow_the_rules_notify_list_and_each_subscribers_filters() -> None:
    named = rule(notify=["critical-only", "ceasefire-only", "prisoners", "everything", "unknown"])
    assert recipients(named, "ceasefire", CEASEFIRE, SUBSCRIBERS) == ["ceasefire-only", "everything"]
    assert recipients(named, "exchange_date", EXCHANGE_DATE, SUBSCRIBERS) == ["prisoners", "everything"]


def test_min_severity_compares_with_the_rules_severity() -> None:
    critical = rule(severity="critical", notify=["critical-only"])
    warning = rule(severity="warning", notify=["critical-only"])
    assert recipients(critical, "ceasefire", CEASEFIRE, SUBSCRIBERS) == ["critical-only"]
    assert recipients(warning, "ceasefire", CEASEFIRE, SUBSCRIBERS) == []


def test_a_rule_without_a_notify_list_reaches_every_subscriber_whose_filters_accept() -> None:
    assert recipients(rule(), "ceasefire", CEASEFIRE, SUBSCRIBERS) == ["ceasefire-only", "everything"]


def test_recipients_are_listed_once() -> None:
    twice = rule(notify=["everything", "everything"])
    assert recipients(twice, "ceasefire", CEASEFIRE, SUBSCRIBERS) == ["everything"]


def test_the_reader_gives_the_subscribers_as_the_log_has_them(db_url: str) -> None:
    store: EventStore = open_pipeline_store(db_url)
    try:
        add_subscriber(store, "ops", ["json://127.0.0.1/a"], items=["ceasefire"], tags=[], min_severity="warning")
        add_subscriber(store, "desk", ["json://127.0.0.1/b", "json://127.0.0.1/c"], items=[], tags=["ukraine"],
                       min_severity="info")
        remove_subscriber(store, "ops")
        add_subscriber(store, "ops", ["json://127.0.0.1/c"], items=[], tags=[], min_severity="info")
        with store.reading() as conn:
            everyone = read_subscribers(conn)
            named = read_subscribers(conn, ["ops", "nobody"])
            nobody = read_subscribers(conn, [])
    finally:
        store.close()
    assert list(everyone) == ["desk", "ops"]
    assert everyone["desk"].urls == ["json://127.0.0.1/b", "json://127.0.0.1/c"]
    assert everyone["desk"].tags == ["ukraine"]
    assert everyone["ops"].urls == ["json://127.0.0.1/c"] and everyone["ops"].origin == "cli"
    assert list(named) == ["ops"] and nobody == {}
