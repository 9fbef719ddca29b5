"""Lease stage: claim one delivery right before it is sent, and keep the claim alive until it is recorded.

A lease covers exactly the delivery being sent, never a batch waiting its turn, and it is renewed every
third of its length while the send runs, so no send outlives its lease however slow the target: a
second daemon can never take over a delivery that a live daemon is still sending. Only a process that
stalls (stopped, swapped out) for longer than a whole lease can lose it; the record stage then says so.
A daemon that dies stops renewing, and its lease expires (or, on the same machine, is taken over at
once: service/store/owners.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from service.delivery.due import group_due, still_due
from service.delivery.stages import Attempt
from service.store.errors import StoreError
from service.store.leases import claim, renew
from service.store.recorder import EventStore

log = logging.getLogger("vigil.delivery")


@dataclass
class RenewedLease:
    """A lease held by ``owner``, renewed in a background thread until ``stop``."""

    store: EventStore
    name: str
    owner: str
    lease_for: timedelta
    clock: Callable[[], datetime]
    _stopped: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _lost: bool = field(default=False, init=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    @property
    def lost(self) -> bool:
        """Whether a renewal found the lease held by someone else."""
        return self._lost

    def start(self) -> None:
        """Begin renewing."""
        self._thread = threading.Thread(target=self._keep, name=f"lease {self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing (idempotent); returns once no renewal is under way."""
        self._stopped.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _keep(self) -> None:
        while not self._stopped.wait(self.lease_for.total_seconds() / 3):
            try:
                with self.store.transaction() as tx:
                    held = renew(tx.connection, self.name, self.owner, until=self.clock() + self.lease_for)
            except (StoreError, SQLAlchemyError) as error:  # the database is busy or down: try next time
                log.warning("could not renew lease %s: %s", self.name, error)
                continue
            if not held:
                self._lost = True
                return


@dataclass(frozen=True)
class LeaseStage:
    """Claims the attempt's delivery if it is still due and nobody holds it; stops the attempt otherwise."""

    store: EventStore
    owner: str
    lease_for: timedelta
    clock: Callable[[], datetime]

    def __call__(self, attempt: Attempt) -> Attempt | None:
        """The attempt holding a renewed lease on its delivery, or None when it is not this daemon's to send."""
        delivery, now = attempt.delivery, self.clock()
        # One write transaction: writers are serialized (service/store/recorder.py), so the check and
        # the claim cannot interleave with another daemon's record-and-release of the same delivery.
        with self.store.transaction() as tx:
            if not still_due(tx.connection, delivery, now):
                return None
            if not claim(tx.connection, delivery.lease_name, self.owner, now=now, until=now + self.lease_for):
                return None
            # A group is sent whole: every member due now, read under the claim (no other daemon sends them).
            members = tuple(group_due(tx.connection, delivery.group_id, now)) if delivery.group_id else ()
        lease = RenewedLease(self.store, delivery.lease_name, self.owner, self.lease_for, self.clock)
        lease.start()
        return replace(attempt, lease=lease, members=members)
