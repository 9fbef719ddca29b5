"""SQLite shared with other processes: a long read, then a write lock held for seconds, while the daemon
appends. WAL lets the reader keep its snapshot without blocking the writer; the busy timeout makes the
daemon wait for the other writer rather than fail. Either way the user sees no error and loses nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service.demo.feeds import FeedServer
from tests.pipeline.harness import Timeline, start_daemon, stop
from tests.reliability.batches import delivered_titles, log_records, publish_batch, write_batch_rules
from tests.support.receivers import JsonReceiver, poll

DEADLINE = 60.0
WRITE_LOCK_SECONDS = 3.0

#: Another process reading: a read transaction kept open (its snapshot pinned) until stdin closes.
LONG_READ = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN")
print(conn.execute("SELECT count(*) FROM events").fetchone()[0], flush=True)
sys.stdin.read()
print(conn.execute("SELECT count(*) FROM events").fetchone()[0], flush=True)
conn.execute("COMMIT")
"""

#: Another process writing: SQLite's single write lock held for a few seconds (as a slow `vigil import`
#: or a backup tool would), then released.
WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _count(hook: JsonReceiver, at_least: int, what: str) -> None:
    poll(lambda: [len(delivered_titles(hook))], lambda n: n >= at_least, DEADLINE, what)


def test_a_long_reader_and_a_busy_writer_cost_nothing(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_batch_rules(tmp_path, feeds, hook.url("/hook"), count=8)
        timeline = Timeline(feeds)
        log = tmp_path / "daemon.log"
        daemon = start_daemon(sqlite_url, rules, log)
        try:
            expected = [publish_batch(timeline, 1)]
            _count(hook, 1, "the first alert")
            reader = subprocess.Popen(
                [sys.executable, "-c", LONG_READ, sqlite_url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            assert reader.stdin is not None and reader.stdout is not None
            seen_by_reader = int(reader.stdout.readline())
            expected += [publish_batch(timeline, number) for number in (2, 3, 4)]
            _count(hook, 4, "the alerts raised while the read is open")
            reader.stdin.close()
            assert int(reader.stdout.readline()) == seen_by_reader  # its snapshot really stayed open
            assert reader.wait(timeout=DEADLINE) == 0

            writer = subprocess.Popen(
                [sys.executable, "-c", WRITE_LOCK, sqlite_url, str(WRITE_LOCK_SECONDS)],
                stdout=subprocess.PIPE,
                text=True,
            )
            assert writer.stdout is not None and writer.stdout.readline().strip() == "locked"
            expected += [publish_batch(timeline, number) for number in (5, 6, 7, 8)]
            assert writer.wait(timeout=DEADLINE) == 0
            _count(hook, 8, "the alerts raised behind the other writer")
        finally:
            assert stop(daemon) == 0
        titles = delivered_titles(hook)
    assert sorted(titles) == sorted(expected), titles
    problems = [r["message"] for r in log_records(log) if r["level"] in ("error", "critical")]
    assert problems == []
