"""The daemon's log during a database outage: one line when it starts, one when it ends, no flapping."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from service.daemon.outage import OutageLog


def _refused_write(path: Path) -> None:
    """A real SQLite refusal (SQLITE_READONLY): a write through a read-only connection."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        connection.execute("INSERT INTO t VALUES (1)")
    finally:
        connection.close()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "vigil.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    return path


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{record.levelname} {record.getMessage()}" for record in caplog.records]


def test_a_poll_that_was_not_due_does_not_end_an_outage(
    database: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outage = OutageLog(logging.getLogger("vigil.test.outage"))
    caplog.set_level(logging.INFO, logger="vigil.test.outage")

    outage.run("poll_job wire", lambda: _refused_write(database))
    outage.run("poll_job wire", lambda: False)  # not due yet: it wrote nothing, so it proves nothing
    outage.run("poll_job wire", lambda: _refused_write(database))
    assert [line.split(":")[0] for line in _lines(caplog)] == ["ERROR database unavailable"]

    outage.run("poll_job wire", lambda: True)
    lines = _lines(caplog)
    assert len(lines) == 2 and lines[1].startswith("WARNING database available again"), lines
    assert "(2 failed job runs)" in lines[1]


def test_a_bug_keeps_its_traceback_and_is_no_outage(caplog: pytest.LogCaptureFixture) -> None:
    outage = OutageLog(logging.getLogger("vigil.test.outage"))
    caplog.set_level(logging.INFO, logger="vigil.test.outage")

    def broken() -> None:
        raise KeyError("missing")

    outage.run("process_job", broken)
    outage.run("process_job", lambda: None)
    assert [(record.levelname, record.getMessage(), record.exc_info is not None) for record in caplog.records] == [
        ("ERROR", "job process_job failed", True)
    ]
