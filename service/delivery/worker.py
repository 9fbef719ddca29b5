"""The delivery worker: the deliveries due now, each through lease → silence → send → classify → record.

Guarantee: at least once, and exactly once unless the process dies between a send and its record.
Each delivery is claimed on its own, right before it is sent, under a lease renewed while the send runs
(service/delivery/lease.py), so two daemons never send the same delivery, however slow the target. A
daemon that dies mid-send leaves a lease behind, and the delivery is sent again once the lease expires
or, on the same machine, as soon as another daemon sees its holder is dead (service/store/owners.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from service.delivery.classify import ClassifyStage
from service.delivery.due import due_deliveries, due_on
from service.delivery.lease import LeaseStage
from service.delivery.record import RecordStage
from service.delivery.retry import RetryPolicy
from service.delivery.route import digest_subscribers
from service.delivery.send import Sender, SendStage
from service.delivery.sender import send
from service.delivery.silence_stage import SilenceStage
from service.delivery.stages import Attempt, MultiStage
from service.delivery.subscriber_digests import compile_due_digests
from service.store.recorder import EventStore

SEND_TIMEOUT = 30.0
#: How long a claim on a delivery lasts unless renewed. A live sender renews it every third of this,
#: so it only bounds how long a delivery held by a daemon that died (on another machine) waits.
DELIVERY_LEASE = timedelta(seconds=SEND_TIMEOUT + 15)


@dataclass
class DeliveryWorker:
    """Sends due deliveries; one instance per daemon (``owner`` names it in leases)."""

    store: EventStore
    owner: str
    env: Mapping[str, str]
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    lease_for: timedelta = DELIVERY_LEASE
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    sender: Sender = send

    def __post_init__(self) -> None:
        if self.lease_for <= timedelta(0):
            raise ValueError("a delivery lease must last longer than nothing")
        self.pipeline = MultiStage(
            (
                LeaseStage(self.store, self.owner, self.lease_for, self.clock),
                SilenceStage(self.store, self.clock),
                SendStage(self.store, self.env, self.sender, SEND_TIMEOUT),
                ClassifyStage(self.policy, self.clock),
                RecordStage(self.store, self.owner),
            )
        )

    def run_due(self, limit: int = 50) -> int:
        """Send the deliveries due now (up to ``limit``) that no other daemon holds; return how many."""
        return self._run(limit)[0]

    def run_all_due(self, limit: int = 50) -> int:
        """``run_due`` until what is due now has been sent; return how many were.

        A batch shorter than ``limit`` whose every send was settled (delivered, abandoned, silenced) was all
        that was due when it was read, so no read follows it to find nothing (two more reads a pass, each a
        pooled connection: on PostgreSQL, three round trips). A failed send may be due again at once (a
        zero retry base), and is tried again in this run, as before.
        """
        total = 0
        while True:
            sent, rest = self._run(limit)
            total += sent
            if not sent or not rest:
                return total

    def _run(self, limit: int) -> tuple[int, bool]:
        """Deliveries sent in one batch, and whether more may be due now (a full batch, or a failure)."""
        # One connection for what most passes read (on PostgreSQL each pooled connection is round trips of
        # its own); a digest due now is compiled first, and sent in this same run.
        with self.store.reading() as conn:
            digests = digest_subscribers(conn)
            due = [] if digests else due_on(conn, self.clock(), limit)
        if digests:
            compile_due_digests(self.store, self.clock(), digests)
            due = due_deliveries(self.store, self.clock(), limit)
        attempts = [attempt for delivery in due if (attempt := self.pipeline(Attempt(delivery))) is not None]
        failed = any(attempt.outcome is not None and attempt.outcome.status == "failed" for attempt in attempts)
        return len(attempts), len(due) == limit or failed
