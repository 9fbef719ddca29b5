"""`vigil demo`, the README's first command, run as a user runs it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from datetime import datetime
from pathlib import Path


def _vigil(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=180
    )


def test_the_demo_runs_from_any_directory_into_the_file_it_is_given(tmp_path: Path) -> None:
    db = tmp_path / "mine.db"
    result = _vigil(tmp_path, "demo", "--db", str(db))  # not the repository: the example rules are still found
    assert result.returncode == 0, result.stderr
    assert f"5 alerts delivered. The whole history is in {db}" in result.stdout
    assert _vigil(tmp_path, "--db", str(db), "verify").returncode == 0
    assert not (tmp_path / "demo.db").exists()
    # No rules/ folder here: `state` names the items from the rules the store recorded.
    state = _vigil(tmp_path, "--db", str(db), "state")
    assert state.returncode == 0, state.stderr
    assert "exchange-date: 2025-06-09" in state.stdout
    # ... and `sources` lists the sources it recorded, with their polling health.
    sources = _vigil(tmp_path, "--db", str(db), "sources")
    assert sources.returncode == 0, sources.stderr
    assert re.search(r"^wire  http://127\.0\.0\.1:\d+/wire\S*  every \d+s$", sources.stdout, re.M), sources.stdout
    assert "last success: " in sources.stdout
    # The hints it closes with work from where it ran, though no rules/ folder is here.
    hints = re.findall(r"`vigil ([^`]+)`", result.stdout.splitlines()[-1])
    assert len(hints) == 2
    for hint in hints:
        followed = _vigil(tmp_path, *shlex.split(hint))
        assert followed.returncode == 0, (hint, followed.stderr)
        assert followed.stdout.strip()


def test_a_command_that_needs_rules_says_where_it_looked(tmp_path: Path) -> None:
    result = _vigil(tmp_path, "explain", "The talks ended.")
    assert result.returncode == 1
    assert result.stderr == "vigil: no rules/ folder here: give --rules FILE_OR_DIR or set VIGIL_RULES\n"


def test_the_global_db_option_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    # The demo deletes and recreates its file: it must not quietly write elsewhere than asked, nor take
    # the database the other commands use.
    other = tmp_path / "production.db"
    result = _vigil(tmp_path, "--db", str(other), "demo")
    assert result.returncode == 2
    assert "use `vigil demo --db FILE`" in result.stderr
    assert not other.exists() and not (tmp_path / "demo.db").exists()


def test_the_demo_says_why_nothing_fired_and_tells_alerts_in_publication_order(tmp_path: Path) -> None:
    result = _vigil(tmp_path, "demo", "--db", str(tmp_path / "demo.db"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # Its point: a truce the delegations did not agree to is not a ceasefire, and the demo says which guard
    # said so; a Gaza ceasefire is not this one either.
    assert "   ✗ not evidence: The talks ended without a ceasefire: the delegations did not agree to a truce.\n" in out
    assert "\n     ceasefire -> agreed vetoed by negation 'did not'" in out, out
    assert "\n     ceasefire -> in_effect vetoed by scope" in out, out
    assert "1 new entries" not in out and "1 state changes" not in out
    assert re.search(r"1 new entry, 0 revised, 0 state changes", out)
    steps = out.split("\n── step ")[1:]
    for step in steps:
        published = re.findall(r"Published (\d+ \w+ \d{4} \d\d:\d\d) UTC", step)
        moments = [datetime.strptime(p, "%d %B %Y %H:%M") for p in published]
        assert moments == sorted(moments), step
