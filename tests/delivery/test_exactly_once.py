"""Two delivery workers on one store and a target slower than a whole lease: every alert arrives once.

Before, a worker claimed a batch of due deliveries under one lease and sent them one after another; a
batch that outlasted the lease was taken over by the second worker while the first was still working
through it, and alerts arrived twice. Now each delivery is claimed right before it is sent and its
lease is renewed while the send runs.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

from service.delivery.worker import DeliveryWorker
from service.pipeline.wiring import open_pipeline_store
from tests.delivery.alerts import delivered, raise_alerts
from tests.support.receivers import JsonReceiver, poll

ALERTS = 3
LEASE = timedelta(seconds=0.9)
SLOW = 1.2  # seconds the target takes to answer each send: longer than a whole lease
DEADLINE = 30.0


def test_two_workers_deliver_every_alert_exactly_once_to_a_target_slower_than_a_lease(db_url: str) -> None:
    store = open_pipeline_store(db_url)
    stop = threading.Event()

    def work(worker: DeliveryWorker) -> None:
        while not stop.is_set():  # as a daemon's delivery job does, every so often
            worker.run_due()
            stop.wait(0.05)

    with JsonReceiver(delay=SLOW) as hook:
        titles = raise_alerts(store, hook.url("/hook"), ALERTS)
        workers = [DeliveryWorker(store, owner, {}, lease_for=LEASE) for owner in ("daemon-a", "daemon-b")]
        threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
        for thread in threads:
            thread.start()
        try:
            poll(lambda: [len(delivered(store))], lambda n: n >= ALERTS, DEADLINE, "every alert delivered")
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        received = Counter(request.json()["title"] for request in hook.requests())
    recorded = Counter(delivered(store))
    store.close()
    assert received == Counter(titles), received  # each alert arrived, and arrived once
    assert set(recorded.values()) == {1} and len(recorded) == ALERTS, recorded
