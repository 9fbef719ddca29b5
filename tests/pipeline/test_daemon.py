"""The daemon as a process: crashes, restarts, retries, reloads, and two daemons sharing PostgreSQL."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pytest

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from tests.pipeline.harness import (
    EXPECTED_PER_STEP,
    STEPS,
    Timeline,
    daemon_command,
    start_daemon,
    stop,
    vigil_env,
    write_rules,
)
from tests.support.receivers import JsonReceiver, poll

DEADLINE = 120.0  # generous: CI machines are shared and a poll round can be slow under load


def _titles(hook: JsonReceiver) -> list[str]:
    return [r.json()["title"] for r in hook.requests() if r.status == 200]


def _wait_for_titles(hook: JsonReceiver, count: int) -> list[str]:
    poll(lambda: [len(_titles(hook))], lambda n: n >= count, DEADLINE, f"{count} delivered alerts")
    return _titles(hook)


def _wait_for_recorded(db: str, count: int) -> None:
    store = open_store(db)
    try:
        poll(
            lambda: [sum(1 for _ in store.read_all(types=["AlertDelivered"]))],
            lambda n: n >= count,
            DEADLINE,
            f"{count} recorded deliveries",
        )
    finally:
        store.close()


def test_sigkill_between_steps_loses_nothing_and_repeats_nothing(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        timeline = Timeline(feeds)
        delivered = 0
        for step, expected in zip(STEPS, EXPECTED_PER_STEP, strict=True):
            timeline.add(step)
            # A short poll timeout keeps the claim a killed daemon leaves on a source short too.
            daemon = start_daemon(sqlite_url, rules, tmp_path / "daemon.log", "--poll-timeout", "2s")
            delivered += len(expected)
            titles = _wait_for_titles(hook, delivered)
            # Kill between steps, not in the send-then-die window (a send not yet recorded is sent again
            # after the restart, which takes over the dead daemon's lease at once): wait for the record.
            _wait_for_recorded(sqlite_url, delivered)
            assert stop(daemon, signal.SIGKILL) == -signal.SIGKILL
            assert all(
                value in title for value, title in zip(expected, titles[-len(expected) :], strict=True)
            ), titles
        # A last restart with nothing new: still nothing repeated.
        log = tmp_path / "last.log"
        daemon = start_daemon(sqlite_url, rules, log)
        store = open_store(sqlite_url)
        start = store.last_position()
        poll(lambda: [sum(1 for e in store.read_all(start) if e.type == "SourcePolled")], lambda n: n >= 2,
             DEADLINE, "a poll round after the restart")
        poll(lambda: log.read_text().splitlines(), lambda line: "daemon started" in line, DEADLINE, "start-up")
        assert stop(daemon) == 0
        assert len(_titles(hook)) == delivered == 3
        assert len(set(_titles(hook))) == 3
        store.close()


def test_one_worker_still_polls_processes_and_delivers_and_zero_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        Timeline(feeds).add(STEPS[0])
        refused = subprocess.run([*daemon_command(rules, "--workers", "0")], capture_output=True, text=True,
                                 env=vigil_env(sqlite_url), timeout=60)
        assert refused.returncode == 2 and "'--workers': 0 is not in the range 1<=x<=64" in refused.stderr
        log = tmp_path / "daemon.log"
        daemon = start_daemon(sqlite_url, rules, log, env={"VIGIL_WORKERS": "1"})
        assert EXPECTED_PER_STEP[0][0] in _wait_for_titles(hook, 1)[0]
        assert stop(daemon, signal.SIGTERM) == 0
    started = [json.loads(line) for line in log.read_text().splitlines() if '"daemon started"' in line]
    assert [line["workers"] for line in started] == [1]


def test_sigterm_stops_cleanly_with_exit_0(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        Timeline(feeds).add(STEPS[0])
        log = tmp_path / "daemon.log"
        daemon = start_daemon(sqlite_url, rules, log)
        _wait_for_titles(hook, 1)
        assert stop(daemon, signal.SIGTERM) == 0
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert any(line["message"] == "daemon stopped" for line in lines)


def test_a_receiver_failing_twice_gets_the_alert_once_after_retries(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver(fail_times=2) as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        Timeline(feeds).add(STEPS[0])
        daemon = start_daemon(sqlite_url, rules, tmp_path / "daemon.log", "--retry-base", "0.2s")
        try:
            _wait_for_titles(hook, 1)
        finally:
            assert stop(daemon) == 0
        assert [r.status for r in hook.requests()] == [500, 500, 200]
    store = open_store(sqlite_url)
    attempts = [
        (e.type, e.data["attempt"])
        for e in store.read_all()
        if e.type in ("AlertDeliveryFailed", "AlertDelivered")
    ]
    store.close()
    assert attempts == [("AlertDeliveryFailed", 1), ("AlertDeliveryFailed", 2), ("AlertDelivered", 3)]


def test_sighup_reloads_rules_and_refuses_invalid_ones(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        Timeline(feeds)
        log = tmp_path / "daemon.log"
        daemon = start_daemon(sqlite_url, rules, log)
        store = open_store(sqlite_url)
        try:
            poll(
                lambda: [sum(1 for e in store.read_all() if e.type == "RulesLoaded")],
                lambda n: n == 1,
                DEADLINE,
                "the first RulesLoaded",
            )
            rules.write_text(
                rules.read_text().replace("title: Prisoner exchange", "title: Exchange of prisoners")
            )
            daemon.send_signal(signal.SIGHUP)
            poll(
                lambda: [sum(1 for e in store.read_all() if e.type == "RulesLoaded")],
                lambda n: n == 2,
                DEADLINE,
                "a second RulesLoaded",
            )
            rules.write_text("items: [not, a, mapping]\n")
            daemon.send_signal(signal.SIGHUP)
            poll(
                lambda: log.read_text().splitlines(),
                lambda line: "reload refused" in line,
                DEADLINE,
                "a refused reload",
            )
            assert daemon.poll() is None  # still running on the old rules
        finally:
            assert stop(daemon) == 0
            store.close()


@pytest.mark.postgres
def test_two_daemons_on_one_postgresql_deliver_every_alert_exactly_once(pg_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        timeline = Timeline(feeds)
        open_store(pg_url).close()  # migrate once, so the daemons do not race to create the schema
        daemons = [start_daemon(pg_url, rules, tmp_path / f"daemon{i}.log") for i in range(2)]
        try:
            delivered = 0
            for step, expected in zip(STEPS, EXPECTED_PER_STEP, strict=True):
                timeline.add(step)
                delivered += len(expected)
                _wait_for_titles(hook, delivered)
            # Give both daemons the chance to do it twice: another full poll round of both.
            store = open_store(pg_url)
            start = store.last_position()
            poll(
                lambda: [sum(1 for e in store.read_all(start) if e.type == "SourcePolled")],
                lambda n: n >= 4,
                DEADLINE,
                "another poll round",
            )
            store.close()
        finally:
            for daemon in daemons:
                assert stop(daemon) == 0
        titles = _titles(hook)
        assert len(titles) == 3 and len(set(titles)) == 3
