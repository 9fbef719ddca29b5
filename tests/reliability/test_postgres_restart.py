"""PostgreSQL stopped and started again under a running daemon: the outage is logged, nothing is lost
or doubled (alerts sent one by one, and alerts grouped into messages), the daemon catches up by itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from service.delivery.worker import DeliveryWorker
from service.demo.feeds import FeedServer
from service.events.catalog import DigestCompiled
from service.pipeline.wiring import open_pipeline_store
from service.store.driver_errors import is_unavailable
from tests.delivery.alerts import stream_types
from tests.delivery.test_digests import KYIV_8, next_slot, raise_alert, subscribe
from tests.pipeline.harness import Timeline, start_daemon, stop
from tests.reliability.batches import (
    delivered_titles,
    log_records,
    message_members,
    publish_batch,
    write_batch_rules,
)
from tests.support.databases import pg_unavailable_reason
from tests.support.receivers import JsonReceiver, poll

#: It stops and starts the shared PostgreSQL server: no other test may run meanwhile.
pytestmark = pytest.mark.serial

DEADLINE = 60.0
OUTAGE_SECONDS = 3.0


def _local_cluster(url: str) -> tuple[str, str]:
    """The (version, name) of the local cluster serving ``url``, found by its port; skip when there is none.

    Stopping the server is the point of the test, so it needs the Debian cluster tools and a server
    on this machine; CI (`.ci/run`) has both.
    """
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        pytest.skip("needs pg_lsclusters/pg_ctlcluster to stop and start the local PostgreSQL server")
    if os.geteuid() != 0:
        pytest.skip("stopping and starting the local PostgreSQL server needs root (CI runs as root)")
    port = str(make_url(url).port or 5432)
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True)
    for line in listing.stdout.splitlines():
        version, name, cluster_port, *_ = line.split()
        if cluster_port == port:
            return version, name
    pytest.skip(f"no local PostgreSQL cluster listens on port {port}")


def _cluster_ctl(cluster: tuple[str, str], action: str, *, check: bool = True) -> None:
    version, name = cluster
    extra = ["-m", "fast"] if action == "stop" else []
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, *extra],
        check=check,
        capture_output=True,
        timeout=60,
    )


def _wait_until_answering() -> None:
    # Other tests need the server: wait until it really accepts queries, not only until it started.
    poll(lambda: [pg_unavailable_reason()], lambda reason: reason is None, DEADLINE, "PostgreSQL answering")


def _grouped_titles(hook: JsonReceiver) -> list[str]:
    """Titles of the alerts the grouping subscriber heard of, one per alert in each message it accepted."""
    return [title for r in hook.requests() if r.status == 200 for title in message_members(r)]


def _messages(log: Path) -> list[str]:
    return [record["message"] for record in log_records(log)]


@pytest.mark.postgres
def test_daemon_rides_out_a_postgresql_restart(pg_url: str, tmp_path: Path) -> None:
    cluster = _local_cluster(pg_url)
    with FeedServer() as feeds, JsonReceiver() as hook, JsonReceiver() as desk:
        rules = write_batch_rules(tmp_path, feeds, hook.url("/hook"), count=6)
        # A second subscriber groups what comes within 2 s into one message.
        text = rules.read_text().replace("notify: [ops]", "notify: [ops, desk]")
        rules.write_text(text + f'  desk: {{urls: ["{desk.url("/desk")}"], group: 2s}}\n')
        timeline = Timeline(feeds)
        log = tmp_path / "daemon.log"
        daemon = start_daemon(pg_url, rules, log)
        try:
            expected = [publish_batch(timeline, number) for number in (1, 2)]
            poll(lambda: [len(delivered_titles(hook))], lambda n: n >= 2, DEADLINE, "the first two alerts")
            try:
                _cluster_ctl(cluster, "stop")
                expected.append(publish_batch(timeline, 3))
                outage = poll(
                    lambda: _messages(log), lambda m: m.startswith("database unavailable"), DEADLINE, "outage line"
                )
                expected.append(publish_batch(timeline, 4))
                # The outage lasts OUTAGE_SECONDS more, entries still being published; the daemon must
                # live through it (wait() timing out is the check, not a pause).
                with pytest.raises(subprocess.TimeoutExpired):
                    daemon.wait(timeout=OUTAGE_SECONDS)
                expected += [publish_batch(timeline, number) for number in (5, 6)]
            finally:
                restarting = time.monotonic()
                _cluster_ctl(cluster, "start", check=False)  # not an error if the stop never happened
                _wait_until_answering()
            poll(lambda: [len(delivered_titles(hook))], lambda n: n >= 6, DEADLINE, "all six alerts")
            poll(lambda: [len(_grouped_titles(desk))], lambda n: n >= 6, DEADLINE, "all six in grouped messages")
            caught_up = time.monotonic() - restarting
            recovered = poll(
                lambda: _messages(log), lambda m: m.startswith("database available again"), DEADLINE, "recovery"
            )
            # Two more poll rounds after catching up: nothing arrives a second time.
            polls = sum(1 for m in _messages(log) if m.startswith("polled"))
            poll(
                lambda: [sum(1 for m in _messages(log) if m.startswith("polled"))],
                lambda n: n >= polls + 4,
                DEADLINE,
                "two more poll rounds",
            )
        finally:
            assert stop(daemon) == 0
        titles, grouped, messages = delivered_titles(hook), _grouped_titles(desk), len(desk.requests())
    assert sorted(titles) == sorted(expected), titles  # every alert, each exactly once
    assert sorted(grouped) == sorted(expected), grouped  # and each in exactly one grouped message
    print(f"\n{outage}\n{recovered}\n{messages} grouped messages; all alerts delivered {caught_up:.1f}s "
          "after `pg_ctlcluster start` was issued")


@pytest.mark.postgres
def test_a_digest_due_while_postgresql_is_down_is_sent_once_when_it_is_back(pg_url: str) -> None:
    cluster = _local_cluster(pg_url)
    store = open_pipeline_store(pg_url)
    other = None
    try:
        with JsonReceiver() as hook:
            subscribe(store, hook.url(), KYIV_8)
            ids = [raise_alert(store, 1, "ceasefire"), raise_alert(store, 2, "exchange")]
            due = next_slot(datetime.now(UTC), KYIV_8)
            worker = DeliveryWorker(store, "a", {}, clock=lambda: due)
            try:
                _cluster_ctl(cluster, "stop")
                with pytest.raises(Exception) as failed:  # noqa: PT011 - which layer raised it does not matter
                    worker.run_due()
                assert is_unavailable(failed.value), failed.value
            finally:
                _cluster_ctl(cluster, "start", check=False)
                _wait_until_answering()
            assert hook.requests() == []
            # The same daemon once the server is back (its pool's dead connections replaced), and a second one.
            worker.run_due()
            other = open_pipeline_store(pg_url)
            DeliveryWorker(other, "b", {}, clock=lambda: due + timedelta(minutes=5)).run_due()
            [request] = hook.requests()
            assert request.json()["title"].endswith("Europe/Kyiv: 2 alerts")
            [compiled] = store.read_all(types=[DigestCompiled.TYPE])
            assert compiled.data["alert_ids"] == ids
            assert stream_types(store, compiled.data["digest_id"]) == ["AlertRaised", "AlertDelivered"]
    finally:
        store.close()
        if other is not None:
            other.close()
