"""A notification channel down for longer than the retry limit: the alert ends abandoned, is listed by
``vigil alerts --failed``, and ``vigil deliver --retry`` sends it once the channel is back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from service.store.recorder import EventStore
from tests.pipeline.harness import Timeline, start_daemon, stop, vigil_env
from tests.reliability.batches import expected_title, log_records, publish_batch, write_batch_rules
from tests.support.receivers import JsonReceiver, poll

DEADLINE = 60.0


def _vigil(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, env=vigil_env(db), timeout=120
    )


def _types(store: EventStore) -> list[str]:
    return [e.type for e in store.read_all() if e.stream_id.startswith("alert:")]


def test_an_abandoned_alert_is_listed_and_resent_on_request(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        hook.fail_next(1_000_000)  # the channel is down for the whole daemon run
        rules = write_batch_rules(tmp_path, feeds, hook.url("/hook"), count=1)
        timeline = Timeline(feeds)
        log = tmp_path / "daemon.log"
        daemon = start_daemon(sqlite_url, rules, log, "--max-attempts", "2", "--retry-base", "0.2s")
        store = open_store(sqlite_url)
        try:
            publish_batch(timeline, 1)
            poll(lambda: _types(store), lambda t: t == "AlertDeliveryAbandoned", DEADLINE, "abandonment")
            alert_id = next(e.stream_id.removeprefix("alert:") for e in store.read_all() if e.type == "AlertRaised")
            # Listed while the daemon keeps running (its delivery rounds go on meanwhile).
            listed = _vigil(sqlite_url, "alerts", "--failed")
        finally:
            assert stop(daemon) == 0
        assert listed.returncode == 0, listed.stderr
        assert alert_id in listed.stdout and "abandoned" in listed.stdout, listed.stdout
        assert "abandoned after 2 attempt(s); last error:" in listed.stdout, listed.stdout
        assert f"127.0.0.1:{hook.port}" in listed.stdout  # the target, redacted, but named
        # Two attempts, then none more from the running daemon; the daemon's log says so and what to do.
        assert [r.status for r in hook.requests()] == [500, 500]
        assert _types(store) == ["AlertRaised", "AlertDeliveryFailed", "AlertDeliveryFailed", "AlertDeliveryAbandoned"]
        errors = [r["message"] for r in log_records(log) if r["level"] == "error"]
        assert len(errors) == 1 and errors[0].startswith(f"abandoned alert {alert_id} to ops"), errors
        assert f"vigil deliver --retry {alert_id}" in errors[0]

        hook.fail_next(0)  # the channel is back
        retried = _vigil(sqlite_url, "deliver", "--retry", alert_id)
        assert retried.returncode == 0, retried.stderr
        assert f"alert {alert_id}: delivered" in retried.stdout, retried.stdout
        assert [r.status for r in hook.requests()] == [500, 500, 200]
        assert hook.requests()[-1].json()["title"] == expected_title(1)
        assert _types(store)[-2:] == ["AlertRetryRequested", "AlertDelivered"]
        print(f"\n{errors[0]}\n{listed.stdout}{retried.stdout}")
        store.close()
