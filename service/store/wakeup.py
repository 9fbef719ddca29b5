"""Append wake-ups: consumers wait for the next committed append instead of sleeping a whole period.

The store tells its ``AppendSignal`` the last position of every transaction it commits (after the commit,
so a woken reader sees the events); on PostgreSQL the listener (service/store/pg_listener.py) tells it
what other processes committed. A waiter gives the position it has already seen and a timeout: the
timeout is the upper bound, so a lost wake-up only delays a consumer, it never loses an event.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol


class AppendSignal:
    """The newest position this process knows to be committed, and a condition to wait for a newer one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._condition = threading.Condition(self._lock)
        self._newest = 0
        self._nudges = 0
        self._waiting = 0

    @property
    def newest(self) -> int:
        """The newest position this process knows to be committed (0 before it knows of any)."""
        with self._lock:
            return self._newest

    @property
    def waiting(self) -> int:
        """How many threads are waiting now."""
        with self._condition:
            return self._waiting

    def appended(self, position: int) -> None:
        """Note that an append up to ``position`` has committed; wake every waiter it concerns."""
        with self._lock:  # the condition's own lock, entered in C: every append passes here
            if position > self._newest:
                self._newest = position
                if self._waiting:
                    self._condition.notify_all()

    def nudge(self) -> None:
        """End every wait now, though nothing was appended (a loop that is stopping looks at once)."""
        with self._condition:
            self._nudges += 1
            self._condition.notify_all()

    def wait(self, after: int, timeout: float) -> bool:
        """Block until a position beyond ``after`` is known committed (True), or ``timeout`` seconds pass
        or a ``nudge`` comes (False)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            nudges = self._nudges
            self._waiting += 1
            try:
                while self._newest <= after:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._nudges != nudges:
                        return False
                    self._condition.wait(remaining)
                return True
            finally:
                self._waiting -= 1


class Listening(Protocol):
    """What a backend's cross-process listener offers (service/store/pg_listener.py)."""

    def close(self) -> None:
        """Stop listening."""


class AppendWakeups:
    """The store's wake-ups: its signal, told of local commits, and the backend's listener for other
    processes' commits, started by the first waiter (commands that never wait never open it)."""

    def __init__(self, listen: Callable[[AppendSignal], Listening | None]) -> None:
        self.signal = AppendSignal()
        self._listen = listen
        self._listener: Listening | None = None
        self._started = False
        self._lock = threading.Lock()

    def committed(self, position: int) -> None:
        """A transaction of this process committed events up to ``position``."""
        self.signal.appended(position)

    def wait(self, after: int, timeout: float) -> bool:
        """See ``EventStore.wait_for_append``."""
        with self._lock:
            if not self._started:
                self._started = True
                self._listener = self._listen(self.signal)
        return self.signal.wait(after, timeout)

    def close(self) -> None:
        """Stop the listener, if one was started."""
        with self._lock:
            listener, self._listener = self._listener, None
            self._started = True  # a closed store starts no listener any more
        if listener is not None:
            listener.close()
