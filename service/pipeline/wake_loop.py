"""A consumer that runs when events are appended, and at the latest every ``every`` seconds.

The daemon's processing (tracker and alert engine) and delivery run in loops of their own rather than as
scheduler jobs: a job kicked while it still runs is skipped until its next interval, which made an alert
wait up to two timer periods behind the entry that raised it. A loop instead notes the newest position
this process knows committed, runs its job, then waits for an append beyond that position
(``EventStore.wait_for_append``), with its period as the upper bound: a lost wake-up delays a pass, it never
skips one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from service.store.recorder import EventStore

#: The longest a wait runs before the loop checks whether it should stop.
STOP_CHECK_SECONDS = 0.25


class WakeLoop:
    """Runs ``job`` in a thread of its own, woken by appends, at least every ``every`` seconds.

    ``pause`` seconds pass before the first pass and between a wake-up and the pass it starts, so that
    the appends of that time are handled together: a loop that need not be quick (processing alongside
    the polls of ``run --once``) then costs a few batched transactions instead of one or two each append.
    """

    def __init__(
        self, name: str, store: EventStore, job: Callable[[], None], every: float, *, pause: float = 0.0
    ) -> None:
        self.name = name
        self.store = store
        self.job = job  # guarded by the caller: it must not raise
        self.every = every
        self.pause = pause
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"vigil-{name}", daemon=True)

    def start(self) -> WakeLoop:
        """Begin running (a first pass at once, or after ``pause``)."""
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the pass that is running, if any, has finished (its transaction commits first)."""
        self._stop.set()
        self.store.end_waits()  # a loop waiting for an append looks at its stop flag now
        self._thread.join(timeout)

    def _run(self) -> None:
        while self._going_on():
            # What this process knows, not a read of the log: a read a pass (on PostgreSQL four round trips)
            # was a sixth of a loaded delivery thread's busy time. An append this process does not hear of
            # (another process's, on SQLite) is seen after ``every`` at the latest, as before.
            seen = self.store.known_position()
            self.job()
            self._wait(seen)

    def _going_on(self) -> bool:
        """False once stopped; with a ``pause``, after waiting it out (a stop ends the wait)."""
        if self.pause:
            return not self._stop.wait(self.pause)  # True when the stop came
        return not self._stop.is_set()

    def _wait(self, seen: int) -> None:
        """Until an append after ``seen``, ``every`` seconds, or a stop."""
        deadline = time.monotonic() + self.every
        while not self._stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.store.wait_for_append(seen, min(remaining, STOP_CHECK_SECONDS)):
                return
