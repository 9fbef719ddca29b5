"""Whose turn it is to write: the store's one write connection, handed to waiting consumers first.

A daemon's poll threads write far more often than its processing and delivery loops (two transactions a
poll, twenty polls a second under load), and a plain mutex gives the connection to whichever waiter the
operating system wakes: a delivery waited behind a queue of polls for up to 400 ms (profiled under the
soak: the delivery loop spent most of its time waiting for the mutex, its own transactions taking ~2 ms).
A poll waiting a few milliseconds more changes nothing anyone notices (it runs every minute or so); an
alert waiting is the latency users see. So a *background* writer (a poll) takes its turn only when no
foreground writer is waiting. Foreground writers only run when there is work the polls made, so the polls
are not starved: each of their turns comes once the consumers have caught up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriteTurns:
    """A mutex whose background waiters let foreground waiters go first.

    Every append passes here, so the uncontended path is one C-level lock taken twice: the condition's
    own lock is entered directly (not through ``Condition.__enter__``), and nobody is notified when
    nobody waits. (A generator context manager and an unconditional ``notify_all`` cost a one-event append
    5 µs, 7% at synchronous=NORMAL.)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # One condition a class: a release wakes one waiter, of the class whose turn it is. (One condition
        # and ``notify_all`` woke all sixteen poll threads at every release, to find the turn taken: a
        # 50-feed pass polled 15% slower.)
        self._foreground = threading.Condition(self._lock)
        self._background = threading.Condition(self._lock)
        self._held = False
        self._foreground_waiting = 0
        self._background_waiting = 0

    @property
    def waiting(self) -> tuple[int, int]:
        """How many foreground and background callers are waiting for the turn now."""
        with self._lock:
            return self._foreground_waiting, self._background_waiting

    @contextmanager
    def turn(self, *, background: bool = False) -> Iterator[None]:
        """Hold the turn for the ``with`` block (the store's hot path calls ``acquire``/``release``)."""
        self.acquire(background=background)
        try:
            yield
        finally:
            self.release()

    def acquire(self, *, background: bool) -> None:
        """Wait for the turn; a background caller also waits while any foreground caller does."""
        with self._lock:
            if background:
                if self._held or self._foreground_waiting:
                    self._background_waiting += 1
                    try:
                        while self._held or self._foreground_waiting:
                            self._background.wait()
                    finally:
                        self._background_waiting -= 1
            elif self._held:
                self._foreground_waiting += 1
                try:
                    while self._held:
                        self._foreground.wait()
                finally:
                    self._foreground_waiting -= 1
            self._held = True

    def release(self) -> None:
        """End the turn and wake one waiter: a foreground one if any waits, else a background one. (A
        waiter woken to find the turn taken by a newcomer waits again; the newcomer's release wakes the
        next, so no wake-up is lost.)"""
        with self._lock:
            self._held = False
            if self._foreground_waiting:
                self._foreground.notify()
            elif self._background_waiting:
                self._background.notify()
