"""Ctrl-C on `vigil run --once` stops at once, even during a slow poll, says what it finished and what is
left — by source — for the next run, exits 130 (not click's bare "Aborted!", exit 1), and loses nothing:
the next run does the rest."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from service.store.bootstrap import open_store
from tests.pipeline.harness import vigil_env
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import poll

RULES = """\
sources:
  fast: {{url: "{fast}", every: 5m}}
  slow: {{url: "{slow}", every: 5m}}
items:
  truce:
    title: Truce
    states:
      agreed: ['agreed (to|on) a truce']
"""


def _run_once(db: str, rules: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "run", "--once", "--rules", str(rules), "--poll-timeout", "60s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=vigil_env(db),
    )


def _wait_for_recorded_poll(db: str, source: str) -> None:
    store = open_store(db, migrate=False)
    try:
        poll(lambda: [len(store.read_stream(f"source:{source}"))], lambda events: events > 0, 60, f"{source} poll")
    finally:
        store.close()


def _wait_for_state_changes(db: str, count: int) -> None:
    store = open_store(db, migrate=False)
    try:
        poll(lambda: [sum(1 for e in store.read_all(types=["ItemStateChanged"]))], lambda n: n >= count, 60,
             "state change")
        assert sum(1 for e in store.read_all(types=["ItemStateChanged"])) == count
    finally:
        store.close()


def test_ctrl_c_during_a_slow_poll_stops_at_once_and_the_next_run_does_the_rest(
    sqlite_url: str, tmp_path: Path
) -> None:
    story = rss_xml([FixtureItem(guid="1", title="Truce", text="Both sides agreed to a truce on Monday.",
                                 published=datetime(2026, 3, 2, 10, tzinfo=UTC))])
    with FeedServer() as feeds:
        feeds.set_feed("/fast.xml", story)
        feeds.set_hang("/slow.xml")  # answers nothing until the server stops
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES.format(fast=feeds.url("/fast.xml"), slow=feeds.url("/slow.xml")))
        run = _run_once(sqlite_url, rules)
        feeds.wait_for_requests("/slow.xml", 1, timeout=60)  # the pass is inside the slow poll
        _wait_for_recorded_poll(sqlite_url, "fast")  # and the fast one is done
        _wait_for_state_changes(sqlite_url, 1)  # and judged alongside the polls, as the slow one hangs
        interrupted_at = time.monotonic()
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=30)
        stopped_in = time.monotonic() - interrupted_at
        assert run.returncode == 130, (out, err)
        assert stopped_in < 10, stopped_in  # not the 60 s the slow poll would take
        assert "Aborted!" not in err
        said = err[err.index("vigil: interrupted"):].splitlines()
        # The pass counts its processing when a processing pass returns, a moment after it commits: a
        # Ctrl-C in that moment finds the change in the log and not yet in the count.
        assert said[1] in ("  finished: polled fast (1 new entry); processed 1 entry (1 state change)",
                           "  finished: polled fast (1 new entry)"), err
        assert said[:1] + said[2:] == [
            "vigil: interrupted while polling sources",
            "  left for the next run: polling slow, processing entries, delivering alerts",
            "  nothing is lost: the next `vigil run --once` picks up the rest",
        ], err

        feeds.set_feed("/slow.xml", rss_xml([]))
        again = subprocess.run(
            [sys.executable, "-m", "service.cli", "run", "--once", "--rules", str(rules)],
            capture_output=True, text=True, env=vigil_env(sqlite_url), timeout=120,
        )
    assert again.returncode == 0, again.stderr
    assert "polled 2 sources (0 failed)" in again.stdout, again.stdout
    _wait_for_state_changes(sqlite_url, 1)  # judged once: neither lost nor repeated
