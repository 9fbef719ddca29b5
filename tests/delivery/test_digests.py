"""Subscriber digests against a real json:// receiver: alerts wait for the subscriber's time of day in its
time zone, then go out as one message listing each; a digest is compiled once, by one of several
daemons, and survives restarts (it is in the log); a day with no alert sends nothing, or "no change"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from service.delivery.status import recent_alerts
from service.delivery.subscriber_digests import compile_due_digests, scheduled_at
from service.delivery.subscriptions import list_subscribers
from service.delivery.worker import DeliveryWorker
from service.events.catalog import AlertRaised, DigestCompiled, SilenceAdded, SilenceExpired, SubscriberAdded
from service.pipeline.wiring import open_pipeline_store
from service.store.hashing import timestamp_text
from service.store.recorder import EventStore
from service.store.records import NewEvent
from tests.cli.test_operations import vigil
from tests.delivery.alerts import API_AUTH, stream_types, subscribers_api
from tests.support.receivers import JsonReceiver

KYIV_8 = {"at": "08:00", "tz": "Europe/Kyiv", "immediate": False, "when_empty": "skip"}


@pytest.fixture
def store(db_url: str) -> Iterator[EventStore]:
    opened = open_pipeline_store(db_url)
    yield opened
    opened.close()


def subscribe(store: EventStore, url: str, digest: dict[str, Any]) -> None:
    added = SubscriberAdded(name="families", urls=[url], digest=digest)
    store.append("config", [NewEvent(SubscriberAdded.TYPE, added.to_data())])


def raise_alert(store: EventStore, number: int, item: str) -> str:
    raised = AlertRaised(alert_id=f"al-{number}", rule="news", item=item, severity="warning" if number == 2 else "info",
                         title=f"{item} moved", body=f"“Sentence about {item}.” https://news.test/{number}",
                         subscribers=["families"], trigger_position=number, rules_hash="h")
    store.append(f"alert:{raised.alert_id}", [NewEvent(AlertRaised.TYPE, raised.to_data())], expected_version=0)
    return raised.alert_id


def next_slot(after: datetime, digest: dict[str, Any]) -> datetime:
    """The first time the digest falls due after ``after`` (plus a minute)."""
    moment = after
    while scheduled_at(digest, moment) <= after:
        moment += timedelta(minutes=30)
    return moment + timedelta(minutes=1)


def test_the_slot_is_the_local_time_of_day_in_the_subscribers_zone() -> None:
    # 08:00 in Kyiv is 06:00 UTC in winter (EET) and 05:00 UTC in summer (EEST).
    assert scheduled_at(KYIV_8, datetime(2026, 12, 3, 7, 0, tzinfo=UTC)) == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert scheduled_at(KYIV_8, datetime(2026, 12, 3, 5, 0, tzinfo=UTC)) == datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert scheduled_at(KYIV_8, datetime(2026, 7, 3, 5, 30, tzinfo=UTC)) == datetime(2026, 7, 3, 5, 0, tzinfo=UTC)


def test_alerts_wait_for_the_digest_which_lists_each_once(store: EventStore, db_url: str) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), KYIV_8)
        ids = [raise_alert(store, 1, "ceasefire"), raise_alert(store, 2, "exchange")]
        now = datetime.now(UTC)
        DeliveryWorker(store, "a", {}, clock=lambda: now + timedelta(seconds=1)).run_due()
        assert hook.requests() == []  # nothing at once: the subscriber asked for a digest only
        assert {a.alert_id: a.status for a in recent_alerts(store)} == dict.fromkeys(ids, "digest")

        due = next_slot(now, KYIV_8)
        worker = DeliveryWorker(store, "a", {}, clock=lambda: due)
        worker.run_due()
        [request] = hook.requests()
        sent = request.json()
        assert sent["title"].startswith("Vigil digest, ") and sent["title"].endswith("Europe/Kyiv: 2 alerts")
        assert "1. ceasefire moved\n“Sentence about ceasefire.” https://news.test/1" in sent["message"]
        assert "2. exchange moved" in sent["message"] and sent["type"] == "warning"

        # The same day again, and a restarted daemon: never a second digest for that slot.
        worker.run_due()
        restarted = open_pipeline_store(db_url)
        try:
            DeliveryWorker(restarted, "b", {}, clock=lambda: due + timedelta(hours=1)).run_due()
        finally:
            restarted.close()
        assert len(hook.requests()) == 1
        [compiled] = store.read_all(types=[DigestCompiled.TYPE])
        assert compiled.data["alert_ids"] == ids
        digest = compiled.data["digest_id"]
        assert stream_types(store, digest) == ["AlertRaised", "AlertDelivered"]
        assert any(a.alert_id == digest and a.status == "delivered" for a in recent_alerts(store))

        # A day with no alert sends nothing; the next alert goes in the next day's digest.
        DeliveryWorker(store, "a", {}, clock=lambda: due + timedelta(days=1)).run_due()
        assert len(hook.requests()) == 1
        raise_alert(store, 3, "talks")
        DeliveryWorker(store, "a", {}, clock=lambda: due + timedelta(days=2)).run_due()
        assert [r.json()["title"].endswith("1 alert") for r in hook.requests()] == [False, True]
        assert "talks moved" in hook.requests()[1].json()["message"]


def test_a_day_with_no_change_says_so_when_asked(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), {**KYIV_8, "when_empty": "say"})
        DeliveryWorker(store, "a", {}, clock=lambda: next_slot(datetime.now(UTC), KYIV_8)).run_due()
        [request] = hook.requests()
        assert request.json()["title"].endswith("Europe/Kyiv: no change")


def test_immediate_and_digest_both(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), {**KYIV_8, "immediate": True})
        raise_alert(store, 1, "ceasefire")
        now = datetime.now(UTC)
        DeliveryWorker(store, "a", {}, clock=lambda: now + timedelta(seconds=1)).run_due()
        DeliveryWorker(store, "a", {}, clock=lambda: next_slot(now, KYIV_8)).run_due()
        assert [r.json()["title"] for r in hook.requests()][0] == "ceasefire moved"
        assert hook.requests()[1].json()["title"].endswith("1 alert")


def test_two_daemons_compile_a_digest_once(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), KYIV_8)
        raise_alert(store, 1, "ceasefire")
        due = next_slot(datetime.now(UTC), KYIV_8)
        compiled: list[list[str]] = []
        threads = [threading.Thread(target=lambda: compiled.append(compile_due_digests(store, due)))
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(len(ids) for ids in compiled) == 1
        assert len(list(store.read_all(types=[DigestCompiled.TYPE]))) == 1


def silence(store: EventStore, silence_id: str, matcher: str, value: str, until: datetime) -> None:
    added = SilenceAdded(silence_id=silence_id, matcher=matcher, value=value, until=timestamp_text(until),
                         reason="too noisy")
    store.append(f"silence:{silence_id}", [NewEvent(SilenceAdded.TYPE, added.to_data())], expected_version=0)


def test_a_silence_keeps_its_alerts_out_of_the_digest(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), KYIV_8)
        now = datetime.now(UTC)
        raise_alert(store, 1, "ceasefire")
        # In force when the exchange alert is raised, over long before the digest: it was meant for it.
        silence(store, "sil-during", "item", "exchange", now + timedelta(minutes=1))
        raise_alert(store, 2, "exchange")
        store.append("silence:sil-during", [NewEvent(SilenceExpired.TYPE, SilenceExpired("sil-during").to_data())])
        # Added after the talks alert, still in force when the digest is compiled: the digest is the notification.
        raise_alert(store, 3, "talks")
        silence(store, "sil-after", "item", "talks", now + timedelta(days=30))

        due = next_slot(now, KYIV_8)
        DeliveryWorker(store, "a", {}, clock=lambda: due).run_due()
        [request] = hook.requests()
        sent = request.json()
        assert sent["title"].endswith(": 1 alert") and "ceasefire moved" in sent["message"]
        assert "exchange moved" not in sent["message"] and "talks moved" not in sent["message"]
        assert "2 alerts left out: silenced" in sent["message"]
        [compiled] = store.read_all(types=[DigestCompiled.TYPE])
        assert compiled.data["alert_ids"] == ["al-1"]
        assert compiled.data["silenced"] == {"al-2": ["sil-during"], "al-3": ["sil-after"]}
        shown = {a.alert_id: a for a in recent_alerts(store)}
        assert shown["al-2"].status == shown["al-3"].status == "silenced"
        assert shown["al-3"].deliveries[0].silenced_by == ["sil-after"]
        assert shown["al-1"].status == "digest"

        # An alert of an item whose silences have ended goes in the next digest, and the silenced ones not again.
        store.append("silence:sil-after", [NewEvent(SilenceExpired.TYPE, SilenceExpired("sil-after").to_data())])
        raise_alert(store, 4, "talks")
        DeliveryWorker(store, "a", {}, clock=lambda: due + timedelta(days=1)).run_due()
        later = hook.requests()[1].json()
        assert later["title"].endswith(": 1 alert") and "talks moved" in later["message"]
        assert "left out" not in later["message"]


def test_a_digest_whose_every_alert_is_silenced_is_not_sent(store: EventStore) -> None:
    with JsonReceiver() as hook:
        subscribe(store, hook.url(), KYIV_8)
        now = datetime.now(UTC)
        silence(store, "sil-away", "subscriber", "families", now + timedelta(days=30))
        raise_alert(store, 1, "ceasefire")
        DeliveryWorker(store, "a", {}, clock=lambda: next_slot(now, KYIV_8)).run_due()
        assert hook.requests() == []
        assert list(store.read_all(types=[DigestCompiled.TYPE])) == []


def test_subscribe_add_sets_and_clears_a_digest(sqlite_url: str) -> None:
    assert vigil(sqlite_url, "db", "upgrade").returncode == 0
    with JsonReceiver() as hook:
        added = vigil(sqlite_url, "subscribe", "add", "families", hook.url(), "--digest-at", "08:00",
                      "--digest-tz", "Europe/Kyiv", "--digest-when-empty", "say")
        assert added.returncode == 0, added.stderr
        assert "families (cli)  digest=08:00@Europe/Kyiv+say-no-change" in vigil(sqlite_url, "subscribe", "list").stdout
        for wrong, message in (
            (["--digest-at", "8am"], "--digest-at: '8am' is not a time of day: write HH:MM (24-hour), e.g. 08:00"),
            (["--digest-at", "08:00", "--digest-tz", "Kyiv"], "--digest-tz: unknown time zone 'Kyiv'"),
            (["--digest-tz", "Europe/Kyiv"],
             "--digest-tz, --digest-immediate and --digest-when-empty need --digest-at"),
        ):
            refused = vigil(sqlite_url, "subscribe", "add", "night", "json://127.0.0.1:9/night", *wrong)
            assert refused.returncode == 1 and message in refused.stderr, refused.stderr
            assert len(refused.stderr.splitlines()) == 1, refused.stderr
        assert "night" not in vigil(sqlite_url, "subscribe", "list").stdout
        verified = vigil(sqlite_url, "verify")  # the subscribers row as projected equals a replay's
        assert verified.returncode == 0, verified.stderr

        # The subscriber the command line added hears of its alerts in the digest only.
        store = open_pipeline_store(sqlite_url)
        try:
            raise_alert(store, 1, "ceasefire")
            now = datetime.now(UTC)
            DeliveryWorker(store, "a", {}, clock=lambda: now + timedelta(seconds=1)).run_due()
            assert hook.requests() == []
            DeliveryWorker(store, "a", {}, clock=lambda: next_slot(now, KYIV_8)).run_due()
            [request] = hook.requests()
            assert request.json()["title"].endswith("Europe/Kyiv: 1 alert")

            # Added again without --digest-at: no digest any more, its alerts go out at once.
            assert vigil(sqlite_url, "subscribe", "add", "families", hook.url()).returncode == 0
            [families] = list_subscribers(store)
            assert families.digest is None
            raise_alert(store, 2, "exchange")
            DeliveryWorker(store, "a", {}, clock=lambda: datetime.now(UTC) + timedelta(seconds=1)).run_due()
            assert [r.json()["title"] for r in hook.requests()][1:] == ["exchange moved"]
        finally:
            store.close()


def test_the_api_sets_a_digest(sqlite_url: str, tmp_path: Path) -> None:
    with subscribers_api(sqlite_url, tmp_path) as (client, store):
        digest = {"at": "08:00", "tz": "Europe/Kyiv"}
        body = {"name": "families", "urls": ["json://127.0.0.1:9/f"], "digest": digest}
        created = client.post("/api/subscribers", json=body, headers=API_AUTH)
        assert created.status_code == 201, created.text
        assert created.json()["digest"] == {"at": "08:00", "tz": "Europe/Kyiv", "immediate": False,
                                            "when_empty": "skip"}
        assert client.get("/api/subscribers", headers=API_AUTH).json()[0]["digest"]["tz"] == "Europe/Kyiv"
        refused = client.post("/api/subscribers", json={**body, "digest": {"at": "25:00"}}, headers=API_AUTH)
        assert refused.status_code == 422 and "is not a time of day" in refused.text
        [families] = list_subscribers(store)
        assert families.digest is not None and families.digest["at"] == "08:00" and families.origin == "api"
