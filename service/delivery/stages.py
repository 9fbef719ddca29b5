"""The delivery pipeline: what flows through its stages, and how the stages are put in a row.

In the manner of Alertmanager's notify pipeline (a ``Stage`` takes what the stage before it produced, a
``MultiStage`` runs stages in order and stops at the first that yields nothing), one delivery at a time
goes through

    lease (lease.py) → silence (silence_stage.py) → send (send.py) → classify (classify.py) → record (record.py)

each a small unit with one job. An attempt that a stage has already decided (the silence stage gives a
silenced delivery its outcome) goes through send and classify untouched, to be recorded. What feeds
it, the deliveries due now, is read by due.py; routing (who hears about an alert, at which URLs) was
settled when the alert was raised and projected (route.py).
Retrying is not a stage that loops in memory as Alertmanager's ``RetryStage`` does: a failed attempt is
recorded with the time of the next one (retry.py), so retries survive restarts and any daemon may make
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from service.delivery.sender import TargetResult
from service.store.records import NewEvent


@dataclass(frozen=True)
class Delivery:
    """One (alert, subscriber, URL) due to be sent, as the ``deliveries`` projection holds it."""

    alert_id: str
    subscriber: str
    target_index: int
    url: str
    target: str  # the URL redacted
    attempts: int  # attempts recorded so far
    group_id: str | None = None  # sent as one message with the other deliveries of its group

    @property
    def lease_name(self) -> str:
        """The lease that claims this delivery (its whole group, if it has one) while it is sent."""
        if self.group_id is not None:
            return f"delivery-group:{self.group_id}"
        return f"delivery:{self.alert_id}:{self.subscriber}:{self.target_index}"


class Lease(Protocol):
    """A claim on one delivery, held (and kept alive) while it is sent."""

    @property
    def name(self) -> str:
        """The lease's name."""
        ...

    @property
    def lost(self) -> bool:
        """Whether another owner took the lease while it was held (this process stalled past its end)."""
        ...

    def stop(self) -> None:
        """Stop keeping the lease alive (it is released, or left to expire, by whoever called this)."""
        ...


@dataclass(frozen=True)
class Outcome:
    """What an attempt comes to, and the events that record it."""

    status: Literal["delivered", "failed", "abandoned", "silenced"]
    events: tuple[NewEvent, ...]
    error: str | None = None
    permanent: bool = False  # abandoned at once: no retry could succeed
    # For "silenced", ``error`` says which silences held it back.


@dataclass(frozen=True)
class Attempt:
    """One delivery on its way through the stages; each stage fills in its part."""

    delivery: Delivery
    lease: Lease | None = None
    result: TargetResult | None = None
    outcome: Outcome | None = None
    #: What is sent: the delivery alone, or every delivery of its group due now (the lease stage reads them).
    members: tuple[Delivery, ...] = ()
    #: Events already decided for members left out of the send (silenced ones), recorded with the outcome.
    settled: tuple[NewEvent, ...] = ()

    @property
    def sent(self) -> tuple[Delivery, ...]:
        """The deliveries this attempt sends: its members, or the delivery alone."""
        return self.members or (self.delivery,)

    @property
    def number(self) -> int:
        """This attempt's number (1 for the first send)."""
        return self.delivery.attempts + 1


class Stage(Protocol):
    """One step of the pipeline: the attempt with this stage's part filled in, or None to stop here."""

    def __call__(self, attempt: Attempt) -> Attempt | None:
        """Do this stage's job for ``attempt``."""
        ...


@dataclass(frozen=True)
class MultiStage:
    """Stages run in order; the first that returns None ends the attempt (nothing more is done)."""

    stages: Sequence[Stage]

    def __call__(self, attempt: Attempt) -> Attempt | None:
        """Run every stage; the last stage's attempt, or None if one stopped it.

        Whatever happens, a lease taken on the way stops being renewed when this returns: a send that
        raised leaves its lease to expire, and the delivery is tried again after it.
        """
        current = attempt
        try:
            for stage in self.stages:
                following = stage(current)
                if following is None:
                    return None
                current = following
            return current
        finally:
            if current.lease is not None:
                current.lease.stop()
