"""Daemon runs killed at random moments, and what the SIGKILL tests check afterwards: which run did what,
and that the log still verifies."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pipeline.harness import stop, vigil_env
from tests.support.receivers import poll

DEADLINE = 60.0


def daemon_starts(log: Path) -> int:
    """How many times a daemon logging to ``log`` has logged "daemon started"."""
    return log.read_text(errors="replace").count('"message": "daemon started"') if log.exists() else 0


def start_and_wait(start: Callable[[], subprocess.Popen[bytes]], log: Path) -> subprocess.Popen[bytes]:
    """A daemon run from ``start``, once it has logged "daemon started" (a SIGTERM that comes while Python is
    still importing, before the daemon's handlers exist, would kill it outright)."""
    before = daemon_starts(log)
    daemon = start()
    poll(lambda: [daemon_starts(log)], lambda n: n > before, DEADLINE, "daemon started")
    return daemon


def kill_at_random(start: Callable[[], subprocess.Popen[bytes]], log: Path, *, after_start: bool,
                   seconds: tuple[float, float], rng: random.Random) -> None:
    """Start a daemon run and SIGKILL it after a delay drawn from ``seconds``, counted from the spawn or (with
    ``after_start``) from its "daemon started" line. It must still be alive then: wait() timing out is the
    check (a daemon that dies by itself fails here), and the delay is the random kill moment."""
    daemon = start_and_wait(start, log) if after_start else start()
    with pytest.raises(subprocess.TimeoutExpired):
        daemon.wait(timeout=rng.uniform(*seconds))
    assert stop(daemon, signal.SIGKILL) == -signal.SIGKILL


def run_of(position: int, boundaries: list[int]) -> int:
    """The index of the first run whose boundary (the newest log position once it ended) is at least
    ``position``: the run that recorded the event there."""
    return next(index for index, bound in enumerate(boundaries) if position <= bound)


def verify(db: str) -> subprocess.CompletedProcess[str]:
    """`vigil verify` on ``db`` as a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "verify"], capture_output=True, text=True, env=vigil_env(db), timeout=120
    )
