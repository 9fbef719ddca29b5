"""Two daemons on one PostgreSQL database and a webhook slower than a delivery lease: every alert
arrives exactly once, and each daemon records only what it sent.

Before, a daemon claimed a batch of due deliveries under one lease and sent them one after another;
the other daemon took over whatever the lease no longer covered and sent it a second time. A short
``--delivery-lease`` makes the old failure quick to show: each send takes longer than a whole lease.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from tests.pipeline.harness import Timeline, start_daemon, stop
from tests.reliability.batches import log_records, publish_batch, write_batch_rules
from tests.support.receivers import JsonReceiver, poll

ALERTS = 4
SLOW = 1.5  # seconds the webhook takes to answer each send
LEASE = "1s"
DEADLINE = 60.0


def _started(log: Path) -> bool:
    return any(record["message"] == "daemon started" for record in log_records(log))


@pytest.mark.postgres
def test_two_daemons_deliver_every_alert_exactly_once_to_a_slow_webhook(pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url)  # migrated here, so both daemons start the same way
    with FeedServer() as feeds, JsonReceiver(delay=SLOW) as hook:
        rules = write_batch_rules(tmp_path, feeds, hook.url("/hook"), count=ALERTS)
        timeline = Timeline(feeds)
        logs = [tmp_path / "a.log", tmp_path / "b.log"]
        daemons: list[subprocess.Popen[bytes]] = []
        try:
            for log in logs:
                daemons.append(start_daemon(pg_url, rules, log, "--delivery-lease", LEASE))
            for log, daemon in zip(logs, daemons, strict=True):
                poll(lambda log=log, daemon=daemon: [_started(log) or daemon.poll() is not None], bool, DEADLINE,
                     "daemon started")  # fmt: skip
                assert daemon.poll() is None, log.read_text()
            titles = [publish_batch(timeline, number) for number in range(1, ALERTS + 1)]
            poll(
                lambda: [sum(1 for _ in store.read_all(types=["AlertDelivered"]))],
                lambda n: n >= ALERTS,
                DEADLINE,
                "every AlertDelivered",
            )
        finally:
            codes = [stop(daemon) for daemon in daemons]
        received = Counter(request.json()["title"] for request in hook.requests())
    recorded = Counter(event.data["alert_id"] for event in store.read_all(types=["AlertDelivered"]))
    store.close()
    assert codes == [0, 0]
    assert received == Counter(titles), received  # each alert arrived, and arrived once
    assert len(recorded) == ALERTS and set(recorded.values()) == {1}, recorded
    senders = [sum(1 for r in log_records(log) if r["message"].startswith("delivered alert")) for log in logs]
    assert sum(senders) == ALERTS, senders
    print(f"\nsends per daemon: {senders}")
