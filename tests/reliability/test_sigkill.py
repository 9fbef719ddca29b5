"""SIGKILL at random moments, over and over, while the feeds publish: the log still verifies, every alert
arrives, and an alert arrives twice only through the documented window (sent, then killed before the
send was recorded).

Each run of the daemon is killed after a random delay from a seeded generator (``VIGIL_FAULT_SEED``
picks another seed), so kills land during start-up, in a poll, in processing, mid-send or while idle.
Each run sends to a receiver of its own, and after each kill the test notes the newest log position:
together they say which run sent each request and which run recorded each ``AlertDelivered``.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import pytest

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from service.store.recorder import EventStore
from tests.pipeline.harness import Timeline, start_daemon, stop
from tests.reliability.batches import publish_batch, write_batch_rules
from tests.reliability.kills import DEADLINE, daemon_starts, kill_at_random, run_of, start_and_wait, verify
from tests.support.receivers import JsonReceiver, poll

KILLS = 20
PER_RUN = 2  # batches published before each run
#: Even runs are killed this long after the process was spawned: start-up (imports, migrations check,
#: recording the rules) takes 1.5-2 s here, so most of these kills land in it.
FROM_SPAWN_SECONDS = (0.3, 2.3)
#: Odd runs are killed this long after the daemon logged "daemon started": it polls, processes and
#: delivers at once, then every second, so these kills land in the work or between two jobs.
FROM_START_SECONDS = (0.0, 0.8)


def _delivered_count(store: EventStore) -> int:
    return sum(1 for _ in store.read_all(types=["AlertDelivered"]))


def test_random_sigkills_lose_nothing_and_double_only_in_the_send_window(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = int(os.environ.get("VIGIL_FAULT_SEED", "20251129"))
    rng = random.Random(seed)
    started = time.monotonic()
    with FeedServer() as feeds, ExitStack() as stack:
        # Each run sends to a receiver of its own (the subscriber URL is ${HOOK_URL}, expanded at send
        # time): a request still in flight when its sender was killed is never counted for the next run.
        hooks: list[JsonReceiver] = []
        rules = write_batch_rules(tmp_path, feeds, "${HOOK_URL}", count=KILLS * PER_RUN)
        timeline = Timeline(feeds)
        log = tmp_path / "daemon.log"
        store = open_store(sqlite_url)  # migrated once here, so every run starts the same way
        expected: list[str] = []
        position_after: list[int] = []  # per run: the newest log position once it had ended

        def start() -> subprocess.Popen[bytes]:
            hooks.append(stack.enter_context(JsonReceiver()))
            monkeypatch.setenv("HOOK_URL", hooks[-1].url("/hook"))
            return start_daemon(sqlite_url, rules, log)

        for run in range(KILLS):
            expected += [publish_batch(timeline, run * PER_RUN + n) for n in range(1, PER_RUN + 1)]
            odd = bool(run % 2)
            kill_at_random(start, log, after_start=odd, seconds=FROM_START_SECONDS if odd else FROM_SPAWN_SECONDS,
                           rng=rng)
            position_after.append(store.last_position())

        # Started first: the earlier runs may have delivered everything already.
        daemon = start_and_wait(start, log)
        try:
            poll(lambda: [_delivered_count(store)], lambda n: n >= len(expected), DEADLINE, "every AlertDelivered")
        finally:
            assert stop(daemon) == 0
        position_after.append(store.last_position())
        received = [(run, request) for run, hook in enumerate(hooks) for request in hook.requests()]
        events = list(store.read_all())
        store.close()

    verified = verify(sqlite_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    title_of = {e.data["alert_id"]: e.data["title"] for e in events if e.type == "AlertRaised"}
    recorded_in: dict[str, list[int]] = defaultdict(list)  # title -> runs that recorded AlertDelivered
    for event in events:
        if event.type == "AlertDelivered":
            recorded_in[title_of[event.data["alert_id"]]].append(run_of(event.position, position_after))
    received_in: dict[str, list[int]] = defaultdict(list)  # title -> runs whose send the receiver got
    for run, request in received:
        assert request.status == 200
        received_in[request.json()["title"]].append(run)

    assert sorted(received_in) == sorted(expected)  # every alert arrived, and nothing else did
    duplicates = 0
    for title, runs in received_in.items():
        assert len(recorded_in[title]) == 1, (title, recorded_in[title])  # recorded delivered exactly once
        recorded = recorded_in[title][0]
        # Each earlier arrival came from a run that was killed before it could record the send: that run
        # recorded no AlertDelivered for this alert, and a later run sent it again. One run never sends
        # an alert twice, and nothing is sent after its delivery was recorded.
        assert runs == sorted(set(runs)) and runs[-1] == recorded, (title, runs, recorded)
        assert all(run < KILLS for run in runs[:-1])
        duplicates += len(runs) - 1

    ran = daemon_starts(log)
    print(
        f"\nseed {seed}: {KILLS} SIGKILLs ({ran - 1} after start-up), {len(expected)} alerts, "
        f"{len(received)} sends received, {duplicates} duplicates (send-then-die), "
        f"{len(events)} events verified, {time.monotonic() - started:.1f}s"
    )
