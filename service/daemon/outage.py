"""Database outages in the daemon's log: one clear line when the database goes away, one when it is back.

Without this, every job (each source's poll, processing, delivery) logged a full traceback every
second for as long as PostgreSQL was down, and nothing said when it came back. The jobs themselves
need no special handling: each runs again on its schedule, the connection pool discards dead
connections (``pool_pre_ping``), and the checkpoints make the catch-up repeat nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from service.store.database import first_line
from service.store.driver_errors import is_unavailable


class OutageLog:
    """Tracks whether the daemon's jobs can reach the database, and logs each change of that once.

    The outage ends when every job that failed during it has succeeded since: on a full disk a small
    write can still pass while a big one fails, and the log must not flap between the two lines.
    """

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._lock = threading.Lock()  # jobs run on a thread pool
        self._failing: set[str] = set()  # the jobs (with their arguments) that failed and have not succeeded
        self._since = 0.0  # monotonic time of the first failure of the current outage
        self._failures = 0

    def run(self, name: str, job: Callable[[], bool | None]) -> None:
        """Run ``job`` and record how it went; it never raises (a failing job must not stop the daemon).

        A job returns False when it had nothing to do (a poll whose source is not due yet): that run
        proves nothing about the database, so it neither fails nor ends an outage. Counting it as a
        success ended a full-disk outage between two failing polls and logged it twice.
        """
        try:
            did_work = job()
        except Exception as error:  # noqa: BLE001 - an outage is one line; anything else keeps its traceback
            if not self.failed(name, error):
                self._log.exception("job %s failed", name.split(" ")[0])
        else:
            if did_work is not False:
                self.succeeded(name)

    def failed(self, job: str, error: BaseException) -> bool:
        """Record a failed run of ``job``; return False (and log nothing) if ``error`` is not a database error."""
        if not is_unavailable(error):
            return False
        with self._lock:
            self._failures += 1
            starting = not self._failing
            self._failing.add(job)
            if starting:
                self._since = time.monotonic()
        if starting:
            self._log.error(
                "database unavailable: %s (jobs keep running on their schedule and resume where they stopped)",
                first_line(error),
                extra={"job": job},
            )
        else:
            self._log.debug("job %s failed: database still unavailable: %s", job, first_line(error))
        return True

    def succeeded(self, job: str) -> None:
        """Record a run of ``job`` that completed; the outage ends when no job is failing any more."""
        with self._lock:
            if job not in self._failing:
                return
            self._failing.discard(job)
            if self._failing:
                return
            seconds, failures = time.monotonic() - self._since, self._failures
            self._failures = 0
        self._log.warning(
            "database available again after %.1fs (%d failed job runs)",
            seconds,
            failures,
            extra={"outage_seconds": round(seconds, 1), "failed_jobs": failures},
        )
