"""Alerts raised straight into a store, for the delivery tests: a subscriber and AlertRaised events."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from service.delivery.worker import DeliveryWorker
from service.events.catalog import AlertDelivered, AlertRaised, SubscriberAdded
from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import load_rules
from service.store.recorder import EventStore
from service.store.records import NewEvent
from service.web.app import create_app
from service.web.context import WebContext
from tests.support.receivers import poll

ITEM = "exchange"
#: The API token of ``subscribers_api`` and the header every request to it needs.
API_TOKEN = "t" * 20
API_AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def raise_alerts(store: EventStore, url: str, count: int, severities: tuple[str, ...] = ("info",)) -> list[str]:
    """Subscriber ``ops`` at ``url``, then ``count`` alerts to it (severities taken in turn); returns their
    titles, in order."""
    store.append("config", [NewEvent(SubscriberAdded.TYPE, SubscriberAdded(name="ops", urls=[url]).to_data())])
    titles = []
    for number in range(1, count + 1):
        severity = severities[(number - 1) % len(severities)]
        raised = AlertRaised(
            alert_id=f"al-{number:03d}", rule="exchange-news", item=ITEM, severity=severity, title=f"Alert {number}",
            body=f"Body of alert {number}", subscribers=["ops"], trigger_position=number, rules_hash="h",
        )  # fmt: skip
        store.append(f"alert:{raised.alert_id}", [NewEvent(AlertRaised.TYPE, raised.to_data())], expected_version=0)
        titles.append(raised.title)
    return titles


def delivered(store: EventStore) -> list[str]:
    """The alert id of every AlertDelivered recorded, in log order."""
    return [event.data["alert_id"] for event in store.read_all(types=[AlertDelivered.TYPE])]


def stream_types(store: EventStore, alert_id: str) -> list[str]:
    """The types of an alert's events, in order."""
    return [event.type for event in store.read_stream(f"alert:{alert_id}")]


def run_side_by_side(workers: list[DeliveryWorker], done: Callable[[], bool], what: str,
                     deadline: float = 30.0) -> None:
    """Each worker in a thread of its own, running its due deliveries as a daemon does, until ``done()``
    (polled, never a fixed wait) or ``deadline`` seconds."""
    stop = threading.Event()

    def work(worker: DeliveryWorker) -> None:
        while not stop.is_set():
            worker.run_due()
            stop.wait(0.02)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        poll(lambda: [done()], bool, deadline, what)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


@contextmanager
def subscribers_api(db_url: str, folder: Path) -> Iterator[tuple[TestClient, EventStore]]:
    """The web app, with its token-protected subscriber routes (send ``API_AUTH``), over a store whose rules
    know one item; yields the client and the store."""
    (folder / "rules.yaml").write_text("items:\n  talks: {title: Talks, states: {held: [talks were held]}}\n")
    loaded = load_rules([folder / "rules.yaml"], env={})
    store = open_pipeline_store(db_url)
    try:
        context = WebContext(store, rules=lambda: loaded, started_at=datetime.now(UTC), api_token=API_TOKEN)
        with TestClient(create_app(context)) as client:
            yield client, store
    finally:
        store.close()
