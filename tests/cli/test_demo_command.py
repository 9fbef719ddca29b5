"""`vigil demo`, the README's first command, run as a user runs it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
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
