"""SIGKILL at random moments while alerts are grouped and a daily digest falls due: every alert reaches
the grouping subscriber in exactly one recorded message, the digest is compiled once and recorded
delivered once, and a message arrives twice only through the documented send window (sent, then killed
before the send was recorded).

The digest's time of day is set to the first whole minute at least ``DIGEST_LEAD`` seconds after the
test starts, and the kills go on until a few seconds after it, so the digest is compiled and sent while
the daemon is being killed and restarted.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from service.store.recorder import EventStore
from tests.pipeline.harness import Timeline, start_daemon, stop
from tests.reliability.batches import message_members, publish_batch, write_batch_rules
from tests.reliability.kills import DEADLINE, kill_at_random, run_of, start_and_wait, verify
from tests.support.receivers import JsonReceiver, poll

KILLS = 10  # at least; the kills go on until the digest's time has passed (MAX_KILLS at most)
MAX_KILLS = 60
PER_RUN = 2
FROM_SPAWN_SECONDS = (0.3, 2.3)  # as in test_sigkill: even runs die mostly during start-up ...
FROM_START_SECONDS = (0.0, 1.5)  # ... odd runs in the work, or while a group waits for its window
DIGEST_LEAD = 8  # seconds: the subscriber must exist before its digest's time of day
DIGEST_KILLS_AFTER = 4.0  # seconds of kills after the digest's time: it is compiled and sent among them


def _digest_time(now: datetime) -> datetime:
    """The first whole minute at least DIGEST_LEAD seconds after ``now``."""
    soon = now + timedelta(seconds=DIGEST_LEAD)
    return soon.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _rules(folder: Path, feeds: FeedServer, count: int, digest_at: datetime) -> Path:
    """The batch scenario for two subscribers: ``desk`` groups what comes within 2 s, ``families`` hears
    only a daily digest. Their URLs are expanded at send time, so each run can have its own receiver."""
    path = write_batch_rules(folder, feeds, "${DESK_URL}", count)
    text = path.read_text().replace("notify: [ops]", "notify: [desk, families]")
    text = text.replace('  ops: {urls: ["${DESK_URL}"]}', "\n".join([
        '  desk: {urls: ["${DESK_URL}"], group: 2s}',
        f'  families: {{urls: ["${{FAMILIES_URL}}"], digest: {{at: "{digest_at:%H:%M}", tz: UTC}}}}',
    ]))
    path.write_text(text)
    return path


def _done(store: EventStore, expected: int) -> bool:
    """Every batch alert recorded delivered to desk, and a digest compiled and recorded delivered."""
    digests = {e.data["digest_id"] for e in store.read_all(types=["DigestCompiled"])}
    delivered = [e.data["alert_id"] for e in store.read_all(types=["AlertDelivered"])]
    return bool(digests & set(delivered)) and len([a for a in delivered if a not in digests]) >= expected


def test_sigkills_never_double_a_group_or_a_digest_beyond_the_send_window(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = int(os.environ.get("VIGIL_FAULT_SEED", "20261203"))
    rng = random.Random(seed)
    started = time.monotonic()
    digest_at = _digest_time(datetime.now(UTC))
    with FeedServer() as feeds, ExitStack() as stack:
        hooks: list[JsonReceiver] = []
        rules = _rules(tmp_path, feeds, MAX_KILLS * PER_RUN + PER_RUN, digest_at)
        timeline = Timeline(feeds)
        log = tmp_path / "daemon.log"
        store = open_store(sqlite_url)
        expected: list[str] = []
        position_after: list[int] = []

        def start() -> subprocess.Popen[bytes]:
            hooks.append(stack.enter_context(JsonReceiver()))
            monkeypatch.setenv("DESK_URL", hooks[-1].url("/desk"))
            monkeypatch.setenv("FAMILIES_URL", hooks[-1].url("/families"))
            return start_daemon(sqlite_url, rules, log)

        run, kill_until = 0, digest_at + timedelta(seconds=DIGEST_KILLS_AFTER)
        while run < MAX_KILLS and (run < KILLS or datetime.now(UTC) < kill_until):
            expected += [publish_batch(timeline, run * PER_RUN + n) for n in range(1, PER_RUN + 1)]
            odd = bool(run % 2)
            kill_at_random(start, log, after_start=odd, seconds=FROM_START_SECONDS if odd else FROM_SPAWN_SECONDS,
                           rng=rng)
            position_after.append(store.last_position())
            run += 1
        kills = run

        # Published after the digest's time: they wait for the next day's digest.
        expected += [publish_batch(timeline, kills * PER_RUN + n) for n in range(1, PER_RUN + 1)]
        daemon = start_and_wait(start, log)
        wait = DEADLINE + max(0.0, (digest_at - datetime.now(UTC)).total_seconds())
        try:
            poll(lambda: [_done(store, len(expected))], bool, wait, "every alert delivered and the digest sent")
        finally:
            assert stop(daemon) == 0
        position_after.append(store.last_position())
        received = [(run, request) for run, hook in enumerate(hooks) for request in hook.requests()]
        events = list(store.read_all())
        store.close()

    verified = verify(sqlite_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert all(request.status == 200 for _, request in received)

    # The grouping subscriber: every alert recorded delivered once, received in one run's message or, when
    # a run died between a send and its record, again in the run that recorded it.
    raised = {e.data["alert_id"]: e for e in events if e.type == "AlertRaised"}
    recorded_in: dict[str, list[int]] = defaultdict(list)  # title -> runs that recorded it delivered to desk
    for event in events:
        if event.type == "AlertDelivered" and event.data["subscriber"] == "desk":
            recorded_in[raised[event.data["alert_id"]].data["title"]].append(run_of(event.position, position_after))
    received_in: dict[str, list[int]] = defaultdict(list)
    groups = 0
    for run, request in received:
        if request.path == "/desk":
            members = message_members(request)
            groups += len(members) > 1
            for title in members:
                received_in[title].append(run)
    assert sorted(received_in) == sorted(expected)
    duplicates = 0
    for title, runs in received_in.items():
        assert len(recorded_in[title]) == 1, (title, recorded_in[title])
        assert runs == sorted(set(runs)) and runs[-1] == recorded_in[title][0], (title, runs, recorded_in[title])
        assert all(run < kills for run in runs[:-1])
        duplicates += len(runs) - 1

    # The digest subscriber: one digest compiled, recorded delivered once, listing every alert raised
    # before it (and nothing sent to it one by one).
    [compiled] = [e for e in events if e.type == "DigestCompiled"]
    digest_id, upto = compiled.data["digest_id"], compiled.data["to_position"]
    before = [alert for alert, e in raised.items() if e.position <= upto and not alert.startswith("dg-")]
    assert compiled.data["alert_ids"] == before and before
    digest_delivered = [e for e in events if e.type == "AlertDelivered" and e.data["alert_id"] == digest_id]
    assert len(digest_delivered) == 1
    recorded_run = run_of(digest_delivered[0].position, position_after)
    sent = [(run, request) for run, request in received if request.path == "/families"]
    assert all(request.json()["title"] == raised[digest_id].data["title"] for _, request in sent), sent
    runs = [run for run, _ in sent]
    assert runs and runs == sorted(set(runs)) and runs[-1] == recorded_run and all(r < kills for r in runs[:-1])
    assert sorted(message_members(sent[-1][1])) == sorted(raised[alert].data["title"] for alert in before)

    print(
        f"\nseed {seed}: {kills} SIGKILLs, {len(expected)} alerts to desk in {groups} group message(s), "
        f"{duplicates} duplicate(s) (send-then-die); digest at {digest_at:%H:%M} UTC listed {len(before)} "
        f"alerts, sent {len(sent)} time(s) (run {recorded_run} recorded it); {time.monotonic() - started:.1f}s"
    )
