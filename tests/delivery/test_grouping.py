"""Grouping (a subscriber's ``group:`` window) against real json:// and mailto:// receivers: the alerts that
come within the window go out as one message listing each of them; each keeps its own id and delivery
record; a failed group is retried whole; two daemons send a group once; a silenced member is left out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.delivery.retry import RetryPolicy
from service.delivery.silencing import add_silence
from service.delivery.status import recent_alerts
from service.delivery.subscriptions import list_subscribers
from service.delivery.worker import DeliveryWorker
from service.events.catalog import AlertDelivered, AlertRaised, RulesLoaded, SubscriberAdded
from service.history.replay import replay
from service.pipeline.projections import PROJECTIONS
from service.pipeline.wiring import open_pipeline_store
from service.store.recorder import EventStore
from service.store.records import NewEvent
from tests.cli.test_operations import vigil
from tests.delivery.alerts import API_AUTH, run_side_by_side, stream_types, subscribers_api
from tests.support.receivers import JsonReceiver, SmtpReceiver

WINDOW = timedelta(minutes=10)


@pytest.fixture
def store(db_url: str) -> Iterator[EventStore]:
    opened = open_pipeline_store(db_url)
    rules = RulesLoaded(rules_hash="h", files=[], items=["ceasefire", "exchange", "talks"], alerts=[], sources=[],
                        extraction={"items": {}, "cues": {}})
    opened.append("config", [NewEvent(RulesLoaded.TYPE, rules.to_data())])
    yield opened
    opened.close()


def subscribe(store: EventStore, url: str, window: timedelta | None = WINDOW, name: str = "desk") -> None:
    added = SubscriberAdded(name=name, urls=[url], group_seconds=window.total_seconds() if window else None)
    store.append("config", [NewEvent(SubscriberAdded.TYPE, added.to_data())])


def raise_alert(store: EventStore, number: int, item: str, severity: str = "info", name: str = "desk") -> str:
    raised = AlertRaised(alert_id=f"al-{number}", rule="news", item=item, severity=severity,
                         title=f"{item} moved", body=f"Evidence for {item}.", subscribers=[name],
                         trigger_position=number, rules_hash="h")
    store.append(f"alert:{raised.alert_id}", [NewEvent(AlertRaised.TYPE, raised.to_data())], expected_version=0)
    return raised.alert_id


def at(offset: timedelta) -> datetime:
    return datetime.now(UTC) + offset


def test_three_alerts_within_the_window_are_one_message_each_with_its_own_record(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url())
        ids = [raise_alert(store, 1, "ceasefire"), raise_alert(store, 2, "exchange", "critical"),
               raise_alert(store, 3, "talks", "warning")]
        assert DeliveryWorker(store, "a", {}, clock=lambda: at(timedelta(minutes=9))).run_due() == 0
        assert hook.requests() == []  # the window is still open
        assert DeliveryWorker(store, "a", {}, clock=lambda: at(WINDOW + timedelta(seconds=1))).run_due() == 1
        [request] = hook.requests()
        sent = request.json()
        assert sent["title"] == "3 alerts: ceasefire moved (+2 more)"
        assert sent["type"] == "failure"  # the highest severity of the three: critical
        for number, item in enumerate(["ceasefire", "exchange", "talks"], 1):
            assert f"{number}. {item} moved\nEvidence for {item}." in sent["message"]
        for alert_id in ids:
            assert stream_types(store, alert_id) == ["AlertRaised", "AlertDelivered"]
        assert {a.alert_id: a.status for a in recent_alerts(store)} == dict.fromkeys(ids, "delivered")
        assert len({a.deliveries[0].group_id for a in recent_alerts(store)}) == 1  # one group, shown as such

        later = raise_alert(store, 4, "ceasefire")  # after the group went out: a group of its own
        DeliveryWorker(store, "a", {}, clock=lambda: at(2 * WINDOW)).run_due()
        assert [r.json()["title"] for r in hook.requests()][1:] == ["ceasefire moved"]
        assert stream_types(store, later) == ["AlertRaised", "AlertDelivered"]

    shown = recent_alerts(store)
    replay(store, PROJECTIONS)  # the groups are rebuilt from the log as they were
    assert recent_alerts(store) == shown


def test_a_group_reaches_a_mailbox_as_one_mail(store: EventStore) -> None:
    with SmtpReceiver() as smtp:
        subscribe(store, smtp.url(to="desk@example.org"))
        raise_alert(store, 1, "ceasefire")
        raise_alert(store, 2, "exchange")
        DeliveryWorker(store, "a", {}, clock=lambda: at(WINDOW * 2)).run_due()
        [mail] = smtp.mails()
        assert mail.subject == "2 alerts: ceasefire moved (+1 more)"
        assert "1. ceasefire moved" in mail.text and "2. exchange moved" in mail.text


def test_a_failed_group_is_retried_whole(store: EventStore) -> None:
    with JsonReceiver(fail_times=1) as hook:
        subscribe(store, hook.url())
        ids = [raise_alert(store, 1, "ceasefire"), raise_alert(store, 2, "exchange")]
        worker = DeliveryWorker(store, "a", {}, RetryPolicy(base=timedelta(0)), clock=lambda: at(WINDOW * 2))
        worker.run_due()
        worker.run_due()
        assert [r.status for r in hook.requests()] == [500, 200]
        assert all("2 alerts" in r.json()["title"] for r in hook.requests())
        for alert_id in ids:
            assert stream_types(store, alert_id) == ["AlertRaised", "AlertDeliveryFailed", "AlertDelivered"]


def test_two_daemons_send_a_group_once(store: EventStore) -> None:
    with JsonReceiver(delay=0.5) as hook:
        subscribe(store, hook.url())
        ids = [raise_alert(store, n, item) for n, item in enumerate(["ceasefire", "exchange", "talks"], 1)]
        workers = [DeliveryWorker(store, owner, {}, lease_for=timedelta(seconds=0.6),
                                  clock=lambda: at(WINDOW * 2)) for owner in ("a", "b")]
        run_side_by_side(workers, lambda: len(list(store.read_all(types=[AlertDelivered.TYPE]))) >= 3,
                         "the group delivered")
        assert len(hook.requests()) == 1
    assert Counter(e.data["alert_id"] for e in store.read_all(types=[AlertDelivered.TYPE])) == Counter(ids)


def test_a_silenced_member_is_left_out_of_its_group(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url())
        add_silence(store, {"item": "exchange"}, "1h", "handled")
        kept, silenced = raise_alert(store, 1, "ceasefire"), raise_alert(store, 2, "exchange")
        other = raise_alert(store, 3, "talks")
        DeliveryWorker(store, "a", {}, clock=lambda: at(WINDOW + timedelta(seconds=1))).run_due()
        [request] = hook.requests()
        assert request.json()["title"] == "2 alerts: ceasefire moved (+1 more)"
        assert "exchange" not in request.json()["message"]
        assert stream_types(store, silenced) == ["AlertRaised", "AlertDeliverySilenced"]
        assert stream_types(store, kept) == stream_types(store, other) == ["AlertRaised", "AlertDelivered"]


def test_a_subscriber_without_a_window_hears_each_alert_at_once(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), window=None)
        raise_alert(store, 1, "ceasefire")
        raise_alert(store, 2, "exchange")
        DeliveryWorker(store, "a", {}, clock=lambda: at(timedelta(seconds=1))).run_due()
        assert len(hook.requests()) == 2


def test_subscribe_add_takes_a_group_window(sqlite_url: str) -> None:
    assert vigil(sqlite_url, "db", "upgrade").returncode == 0
    added = vigil(sqlite_url, "subscribe", "add", "desk", "json://127.0.0.1:9/desk", "--group", "10m")
    assert added.returncode == 0, added.stderr
    assert "desk (cli)  group=10m" in vigil(sqlite_url, "subscribe", "list").stdout
    for wrong, message in (("2d", "group must be from 1s to 1d"), ("ten", "--group: not a duration")):
        refused = vigil(sqlite_url, "subscribe", "add", "night", "json://127.0.0.1:9/night", "--group", wrong)
        assert refused.returncode == 1 and message in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert "night" not in vigil(sqlite_url, "subscribe", "list").stdout


def test_a_rules_window_groups_that_rules_alerts_only(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), window=None)
        for number, (rule, item) in enumerate([("talks-news", "ceasefire"), ("other", "exchange"),
                                                ("talks-news", "talks")], 1):
            raised = AlertRaised(alert_id=f"al-{number}", rule=rule, item=item, severity="info", title=f"{item} moved",
                                 body="moved", subscribers=["desk"], trigger_position=number, rules_hash="h",
                                 group_seconds=WINDOW.total_seconds() if rule == "talks-news" else None)
            store.append(f"alert:{raised.alert_id}", [NewEvent(AlertRaised.TYPE, raised.to_data())])
        DeliveryWorker(store, "a", {}, clock=lambda: at(timedelta(seconds=1))).run_due()
        assert [r.json()["title"] for r in hook.requests()] == ["exchange moved"]  # not in the rule's window
        DeliveryWorker(store, "a", {}, clock=lambda: at(WINDOW * 2)).run_due()
        assert [r.json()["title"] for r in hook.requests()][1:] == ["2 alerts: ceasefire moved (+1 more)"]


def test_the_api_takes_a_group_window(sqlite_url: str, tmp_path: Path) -> None:
    with subscribers_api(sqlite_url, tmp_path) as (client, store):
        body = {"name": "desk", "urls": ["json://127.0.0.1:9/desk"], "group": "10m"}
        created = client.post("/api/subscribers", json=body, headers=API_AUTH)
        assert created.status_code == 201 and created.json()["group_seconds"] == 600
        refused = client.post("/api/subscribers", json={**body, "group": "2d"}, headers=API_AUTH)
        assert refused.status_code == 422 and "group must be from 1s to 1d" in refused.text
        [desk] = list_subscribers(store)
        assert desk.group_seconds == 600
