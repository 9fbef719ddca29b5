"""How an item decides its state from one more piece of evidence. Pure: no I/O, no clock.

- Evidence published before the evidence that set the current value never moves the item back, not even
  as one of several reports confirming a move.
- The same value reported again (another outlet, a re-poll, an edited entry) is no change.
- Declared ``transitions`` are respected: a move they do not allow is no change.
- With ``confirm: {sources: N, within: D}``, a value is taken only once N distinct sources gave it
  within a window of length D (by publication time), whatever order the reports arrive in.
- A date item's date may move to another date, or back to ``unannounced`` (the announcement was
  withdrawn, the exchange postponed), but only on evidence published strictly after the evidence that set
  the date: a report from the same moment saying "not yet announced" is not a withdrawal.
- Reports arrive out of order (outlets polled at different intervals). A report that made no change when
  it came is kept: refused because the item had not yet reached a state it may move from
  (``transitions``), or repeating the value the item then held. When an older report then moves the item,
  the kept reports published after it are judged again, in publication order (``catch_up``): the item
  ends where the newest reports put it, as if they had arrived in the order they were published.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from service.rules.models import UNANNOUNCED, ItemSpec

#: Evidence kept in a state for confirmation windows (the projection keeps the same bound).
SUPPORT_LIMIT = 200


@dataclass(frozen=True)
class Support:
    """A past piece of evidence, as confirmation windows need it."""

    value: str
    source: str
    published: datetime
    evidence_id: str


@dataclass(frozen=True)
class Evidence:
    """A new piece of evidence for an item."""

    item: str
    value: str
    source: str
    published: datetime
    evidence_id: str


@dataclass(frozen=True)
class ItemState:
    """What an item's decision depends on: its value, since when, and its recent evidence (bounded)."""

    item: str
    value: str
    since: datetime | None = None
    evidence_published: datetime | None = None  # publication time of the evidence that set ``value``
    support: tuple[Support, ...] = ()


@dataclass(frozen=True)
class Change:
    """A state change and the evidence that decided it."""

    from_value: str
    to_value: str
    evidence_ids: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """The state after the evidence, and the change it caused (None if none)."""

    new_state: ItemState
    change: Change | None


def initial_value(spec: ItemSpec) -> str:
    """The value before any evidence: ``initial`` for a status item, ``unannounced`` for a date item."""
    return UNANNOUNCED if spec.kind == "date" else spec.initial


def initial_state(item: str, spec: ItemSpec) -> ItemState:
    """An item's state before any evidence."""
    return ItemState(item, initial_value(spec))


def decide(spec: ItemSpec, state: ItemState, evidence: Evidence) -> Decision:
    """Apply one piece of evidence to an item's state."""
    record = Support(evidence.value, evidence.source, evidence.published, evidence.evidence_id)
    support = tuple(sorted((*state.support, record), key=lambda s: s.published)[-SUPPORT_LIMIT:])
    kept = replace(state, support=support)
    if evidence.value == state.value:
        return Decision(kept, None)
    if state.evidence_published is not None and _too_old(
        spec, state.evidence_published, evidence.value, evidence.published
    ):
        return Decision(kept, None)
    allowed = spec.transitions.get(state.value, []) if spec.transitions is not None else None
    if spec.kind == "status" and allowed is not None and evidence.value not in allowed:
        return Decision(kept, None)
    confirming = _confirming(spec, support, evidence, state.evidence_published)
    if confirming is None:
        return Decision(kept, None)
    decided_at = max(s.published for s in confirming)
    new_state = replace(kept, value=evidence.value, since=decided_at, evidence_published=decided_at)
    return Decision(new_state, Change(state.value, evidence.value, tuple(s.evidence_id for s in confirming)))


def _too_old(spec: ItemSpec, set_at: datetime, value: str, published: datetime) -> bool:
    """True when a report of ``value`` published at ``published`` is too old to move the item off the value
    that evidence published at ``set_at`` set."""
    if spec.kind == "date" and value == UNANNOUNCED:
        return published <= set_at
    return published < set_at


def _confirming(
    spec: ItemSpec, support: tuple[Support, ...], evidence: Evidence, set_at: datetime | None
) -> list[Support] | None:
    """The records that confirm ``evidence.value`` (None while the confirmation policy is unmet).

    Without a policy, the evidence alone. With one: some window of length ``within`` that holds the new
    evidence must hold reports of the value from ``sources`` distinct sources. The confirming set is the
    new evidence and the first report of each other source in the earliest such window. Reports too old to
    move the item off its current value (set by evidence published at ``set_at``) do not count either:
    they were answered by that evidence.
    """
    own = Support(evidence.value, evidence.source, evidence.published, evidence.evidence_id)
    if spec.confirm is None:
        return [own]
    within, needed = spec.confirm.within, spec.confirm.sources
    same = [
        s
        for s in support
        if s.value == evidence.value and (set_at is None or not _too_old(spec, set_at, s.value, s.published))
    ]
    starts = sorted({s.published for s in same if evidence.published - within <= s.published <= evidence.published})
    for start in starts:
        first_per_source: dict[str, Support] = {evidence.source: own}
        for record in same:
            if start <= record.published <= start + within:
                first_per_source.setdefault(record.source, record)
        if len(first_per_source) >= needed:
            return sorted(first_per_source.values(), key=lambda s: s.published)
    return None


def catch_up(spec: ItemSpec, state: ItemState) -> Decision | None:
    """The change a report newer than the item's value now makes, if one does (None otherwise).

    After a change decided on evidence published at ``T``, the kept reports published after ``T`` are
    judged again, oldest first, as if they had arrived after that evidence: the first that moves the
    item gives the decision. Call again on the new state until None: each change is decided on later
    evidence than the one before, so this ends. Reports that moved the item before were published at or
    before ``T`` (a change is never decided on older evidence than the current value's), so only reports
    that made no change when they came are judged again: refused then, or repeating the value then held
    (agreed at 10:00 and again at 12:00, then a collapse at 11:00 read late: the item collapses, and the
    12:00 report, the newest word, agrees it again).
    """
    set_at = state.evidence_published
    if set_at is None:
        return None
    for record in sorted(state.support, key=lambda s: s.published):
        if record.published <= set_at or record.value == state.value:
            continue
        # Judged as if it arrived now: taken out of the support it is already in, decide puts it back.
        rest = tuple(s for s in state.support if s.evidence_id != record.evidence_id)
        evidence = Evidence(state.item, record.value, record.source, record.published, record.evidence_id)
        decision = decide(spec, replace(state, support=rest), evidence)
        if decision.change is not None:
            return decision
    return None
