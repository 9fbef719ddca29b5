"""Ctrl-C on `vigil run --once` stops at once, even during a slow poll, says what it finished and what is
left, exits 130 (not click's bare "Aborted!", exit 1), and loses nothing: the next run does the rest."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.pipeline.harness import vigil_env
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml

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
        interrupted_at = time.monotonic()
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=30)
        stopped_in = time.monotonic() - interrupted_at
        assert run.returncode == 130, (out, err)
        assert stopped_in < 10, stopped_in  # not the 60 s the slow poll would take
        assert "Aborted!" not in err
        assert "vigil: interrupted while polling sources (nothing finished); nothing is lost" in err

        feeds.set_feed("/slow.xml", rss_xml([]))
        again = subprocess.run(
            [sys.executable, "-m", "service.cli", "run", "--once", "--rules", str(rules)],
            capture_output=True, text=True, env=vigil_env(sqlite_url), timeout=120,
        )
    assert again.returncode == 0, again.stderr
    assert "1 state changes" in again.stdout or "1 state change" in again.stdout, again.stdout
