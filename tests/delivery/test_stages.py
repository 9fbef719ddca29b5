"""MultiStage: stages run in order, the first that yields nothing ends the attempt, and a lease taken on
the way is never left renewing, even when a stage raises."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from service.delivery.sender import TargetResult
from service.delivery.stages import Attempt, Delivery, MultiStage

DELIVERY = Delivery("al-1", "ops", 0, "json://127.0.0.1/hook", "json://127.0.0.1/hook", attempts=0)


@dataclass
class FakeLease:
    name: str = "delivery:al-1:ops:0"
    lost: bool = False
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True


def test_stages_run_in_order_and_stop_at_the_first_that_yields_nothing() -> None:
    ran: list[str] = []
    lease = FakeLease()

    def take(attempt: Attempt) -> Attempt:
        ran.append("lease")
        return replace(attempt, lease=lease)

    def send(attempt: Attempt) -> Attempt:
        ran.append("send")
        return replace(attempt, result=TargetResult("json://127.0.0.1/hook", True))

    def refuse(attempt: Attempt) -> None:
        ran.append("refuse")

    def never(attempt: Attempt) -> Attempt:
        ran.append("never")
        return attempt

    done = MultiStage((take, send))(Attempt(DELIVERY))
    assert done is not None and done.result is not None and done.result.ok and ran == ["lease", "send"]
    ran.clear()
    assert MultiStage((take, refuse, never))(Attempt(DELIVERY)) is None
    assert ran == ["lease", "refuse"] and lease.stopped


def test_a_stage_that_raises_leaves_no_lease_renewing() -> None:
    lease = FakeLease()

    def broken(attempt: Attempt) -> Attempt:
        raise RuntimeError("a plugin bug")

    with pytest.raises(RuntimeError):
        MultiStage((lambda attempt: replace(attempt, lease=lease), broken))(Attempt(DELIVERY))
    assert lease.stopped
