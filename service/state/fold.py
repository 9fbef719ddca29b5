"""The decision fold: one more report applied to an item, with every change it sets off.

A report may move the item (``decide``), and a move may open the way for reports that made no change
when they came (``catch_up``): the fold takes them all, so the item ends where the newest reports put it
whatever order the reports arrive in. The daemon's item tracker (and so ``vigil run``, ``vigil backtest``
and the demo) and the rule-test runner (``vigil test``) fold reports through here and nowhere else;
``vigil replay`` re-applies the changes this fold recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.rules.models import ItemSpec
from service.state.decision import Decision, Evidence, ItemState, catch_up, decide


@dataclass(frozen=True)
class Folded:
    """An item's state after one report, and the decisions that changed it, in the order they happened
    (each with the state it left: ``new_state.since`` is when its value holds from)."""

    state: ItemState
    changes: tuple[Decision, ...]


def fold(spec: ItemSpec, state: ItemState, evidence: Evidence) -> Folded:
    """Apply ``evidence`` to ``state``, then catch up on the kept newer reports until none moves the item."""
    decision = decide(spec, state, evidence)
    changes: list[Decision] = []
    while decision.change is not None:
        changes.append(decision)
        following = catch_up(spec, decision.new_state)
        if following is None:
            break
        decision = following
    return Folded(decision.new_state, tuple(changes))
