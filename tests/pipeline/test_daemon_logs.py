"""The daemon's log: what a person reading it sees, and what it spares them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from service.daemon.logs import configure_logging
from tests.support.receivers import poll


@pytest.fixture
def daemon_logging(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """The daemon's logging set up for one test (writing to the captured stderr), and put back after it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("text", "INFO")
    yield
    root.handlers[:], root.level = handlers, level


@pytest.mark.usefixtures("daemon_logging")
def test_an_early_run_requested_while_a_job_runs_is_not_a_warning(capfd: pytest.CaptureFixture[str]) -> None:
    running, release = threading.Event(), threading.Event()

    def busy() -> None:
        running.set()
        release.wait(10)

    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start()
    try:
        job = scheduler.add_job(busy, "interval", seconds=60, next_run_time=datetime.now(UTC), max_instances=1)
        assert running.wait(10)
        job.modify(next_run_time=datetime.now(UTC))  # what the daemon does when new work arrives
        # The scheduler handles the request (and skips it) on its own thread: wait until it has.
        poll(lambda: [job.next_run_time], lambda when: when.timestamp() > datetime.now(UTC).timestamp() + 30,
             10, "the skipped run to be rescheduled")
        logging.getLogger("apscheduler.scheduler").warning("a real scheduler warning")
    finally:
        release.set()
        scheduler.shutdown(wait=True)
    err = capfd.readouterr().err
    assert "a real scheduler warning" in err
    assert "maximum number of running instances" not in err
