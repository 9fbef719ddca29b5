"""How an item decides its state: order, repetition, transitions, confirmation by several sources."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.rules.models import UNANNOUNCED, ItemSpec
from service.state.decision import (
    SUPPORT_LIMIT,
    Evidence,
    ItemState,
    catch_up,
    decide,
    initial_state,
)
from service.state.fold import fold

DAY = datetime(2025, 6, 7, 12, tzinfo=UTC)
STATUS = ItemSpec.model_validate(
    {"title": "Exchange", "states": {"agreed": ["a"], "completed": ["c"], "collapsed": ["x"]}}
)
DATE = ItemSpec.model_validate({"title": "Date", "kind": "date", "set": ["on {date}"], "unset": ["not set"]})
TWO_SOURCES = ItemSpec.model_validate({**STATUS.model_dump(), "confirm": {"sources": 2, "within": "48h"}})


def _evidence(value: str, hours: float = 0, source: str = "wire", n: int = 0) -> Evidence:
    """Evidence for ``value`` published ``hours`` after DAY; its id names value, hour, source and ``n``."""
    return Evidence("x", value, source, DAY + timedelta(hours=hours), f"ev-{value}-{hours}-{source}-{n}")


def _apply(spec: ItemSpec, *evidence: Evidence, initial: str = "none") -> tuple[ItemState, list[tuple[str, str]]]:
    """Feed the evidence in the order given; the final state and every (from, to) change on the way."""
    state, changes = ItemState("x", initial), []
    for piece in evidence:
        decision = decide(spec, state, piece)
        state = decision.new_state
        if decision.change:
            changes.append((decision.change.from_value, decision.change.to_value))
    return state, changes


def _dates(*evidence: Evidence) -> tuple[ItemState, list[tuple[str, str]]]:
    return _apply(DATE, *evidence, initial=UNANNOUNCED)


# --- a change and what it carries ----------------------------------------------------------------------

def test_a_change_carries_the_evidence_that_caused_it() -> None:
    decision = decide(STATUS, ItemState("x", "none"), _evidence("agreed"))
    assert decision.change is not None
    assert (decision.change.from_value, decision.change.to_value) == ("none", "agreed")
    assert decision.change.evidence_ids == ("ev-agreed-0-wire-0",)
    assert decision.new_state.since == DAY


def test_initial_states_are_the_declared_initial_or_unannounced() -> None:
    assert initial_state("x", STATUS).value == "none"
    assert initial_state("x", DATE).value == UNANNOUNCED
    assert initial_state("x", DATE).since is None


# --- order ---------------------------------------------------------------------------------------------

def test_older_evidence_never_moves_the_state_back() -> None:
    # "completed" was reported at 22:00; a report from 14:00 that it was "agreed" arrives later.
    state, changes = _apply(STATUS, _evidence("completed", 10), _evidence("agreed", 2))
    assert state.value == "completed" and changes == [("none", "completed")]


def test_newer_evidence_does_move_the_state_on() -> None:
    state, changes = _apply(STATUS, _evidence("agreed", 0), _evidence("collapsed", 30))
    assert state.value == "collapsed" and changes == [("none", "agreed"), ("agreed", "collapsed")]


def test_an_older_not_yet_announced_report_does_not_unset_a_date() -> None:
    # The date was announced at noon; an article from two days earlier ("not yet announced") is polled late.
    state, changes = _dates(_evidence("2025-06-09", 0), _evidence(UNANNOUNCED, -48, "courier"))
    assert state.value == "2025-06-09" and changes == [(UNANNOUNCED, "2025-06-09")]


def test_a_same_moment_not_yet_announced_report_does_not_withdraw_a_date() -> None:
    state, changes = _dates(_evidence("2025-06-09", 5), _evidence(UNANNOUNCED, 5, "courier"))
    assert state.value == "2025-06-09" and changes == [(UNANNOUNCED, "2025-06-09")]


def test_a_newer_unset_report_withdraws_the_date() -> None:
    state, changes = _dates(_evidence("2025-06-09", 0), _evidence(UNANNOUNCED, 30, "courier"))
    assert state.value == UNANNOUNCED
    assert changes == [(UNANNOUNCED, "2025-06-09"), ("2025-06-09", UNANNOUNCED)]


def test_a_date_moved_to_another_date_is_a_change() -> None:
    state, changes = _dates(_evidence("2025-06-09", 0), _evidence("2025-06-12", 24))
    assert state.value == "2025-06-12"
    assert changes == [(UNANNOUNCED, "2025-06-09"), ("2025-06-09", "2025-06-12")]


def test_an_older_report_of_another_date_does_not_move_the_date() -> None:
    state, changes = _dates(_evidence("2025-06-12", 24), _evidence("2025-06-09", 0, "courier"))
    assert state.value == "2025-06-12" and changes == [(UNANNOUNCED, "2025-06-12")]


# --- the same value again ------------------------------------------------------------------------------

def test_the_same_fact_reported_again_is_no_second_change() -> None:
    _, changes = _apply(STATUS, _evidence("agreed"), _evidence("agreed", 1, "courier"), _evidence("agreed", 2))
    assert changes == [("none", "agreed")]


def test_a_re_poll_of_the_same_evidence_is_no_change() -> None:
    first = decide(STATUS, ItemState("x", "none"), _evidence("agreed"))
    again = decide(STATUS, first.new_state, _evidence("agreed"))
    assert again.change is None and again.new_state.value == "agreed"


def test_the_same_date_announced_again_is_no_second_change() -> None:
    _, changes = _dates(_evidence("2025-06-09", 0), _evidence("2025-06-09", 6, "courier"))
    assert changes == [(UNANNOUNCED, "2025-06-09")]


# --- declared transitions ------------------------------------------------------------------------------

def test_declared_transitions_are_respected() -> None:
    spec = ItemSpec.model_validate(
        {**STATUS.model_dump(), "transitions": {"none": ["agreed"], "agreed": ["completed", "collapsed"]}}
    )
    state, changes = _apply(spec, _evidence("completed", 0))
    assert state.value == "none" and changes == []  # "none" may only move to "agreed"
    state, changes = _apply(spec, _evidence("agreed", 0), _evidence("completed", 1))
    assert changes == [("none", "agreed"), ("agreed", "completed")]
    state, changes = _apply(spec, _evidence("agreed", 0), _evidence("completed", 1), _evidence("agreed", 2))
    assert state.value == "completed" and len(changes) == 2  # nothing leaves "completed"


def _caught_up(
    spec: ItemSpec, *evidence: Evidence, catching_up: bool = True
) -> tuple[ItemState, list[tuple[str, str, str]]]:
    """Feed the evidence in the order given through the decision fold the tracker uses (through ``decide``
    alone unless ``catching_up``); the final state and every (from, to, deciding evidence id) change."""
    state, changes = ItemState("x", "none"), []
    for piece in evidence:
        if catching_up:
            folded = fold(spec, state, piece)
            state, decisions = folded.state, folded.changes
        else:
            decision = decide(spec, state, piece)
            state, decisions = decision.new_state, (decision,)
        changes += [(d.change.from_value, d.change.to_value, d.change.evidence_ids[-1])
                    for d in decisions if d.change is not None]
    return state, changes


STAGED = ItemSpec.model_validate(
    {**STATUS.model_dump(), "states": {"agreed": ["a"], "underway": ["u"], "completed": ["c"], "collapsed": ["x"]},
     "transitions": {"none": ["agreed"], "agreed": ["underway", "collapsed"], "underway": ["completed"]}}
)


def test_a_newer_report_refused_for_coming_too_early_is_taken_once_an_older_one_opens_the_way() -> None:
    underway, agreed = _evidence("underway", 2, "courier"), _evidence("agreed", 0, "wire")
    state, changes = _caught_up(STAGED, underway, agreed)
    assert changes == [("none", "agreed", agreed.evidence_id), ("agreed", "underway", underway.evidence_id)]
    assert (state.value, state.since) == ("underway", DAY + timedelta(hours=2))


def test_catching_up_walks_several_steps_in_publication_order() -> None:
    state, changes = _caught_up(
        STAGED, _evidence("completed", 3), _evidence("underway", 2), _evidence("agreed", 1)
    )
    assert [(a, b) for a, b, _ in changes] == [("none", "agreed"), ("agreed", "underway"), ("underway", "completed")]
    assert state.value == "completed"


def test_catching_up_never_takes_a_report_older_than_the_value_nor_one_the_state_still_refuses() -> None:
    # Kept reports are taken oldest first, as in publication order: "collapsed" at 1 before "underway" at 2,
    # which "collapsed" then refuses.
    state, changes = _caught_up(
        STAGED, _evidence("underway", 2), _evidence("collapsed", 1), _evidence("agreed", 0)
    )
    assert [(a, b) for a, b, _ in changes] == [("none", "agreed"), ("agreed", "collapsed")]
    # "collapsed" at 1 arriving once the item is underway since 2 is older than the value: no change.
    state, changes = _caught_up(
        STAGED, _evidence("agreed", 0), _evidence("underway", 2), _evidence("collapsed", 1)
    )
    assert [(a, b) for a, b, _ in changes] == [("none", "agreed"), ("agreed", "underway")]
    # "completed" is newer but "agreed" may not move to it: nothing to catch up.
    state = decide(STAGED, ItemState("x", "none"), _evidence("completed", 5)).new_state
    state = decide(STAGED, state, _evidence("agreed", 0)).new_state
    assert state.value == "agreed" and catch_up(STAGED, state) is None
    assert catch_up(STAGED, ItemState("x", "none")) is None  # no value set by evidence yet


REPORTS = st.lists(
    st.builds(
        _evidence,
        st.sampled_from(["agreed", "underway", "completed", "collapsed"]),
        st.integers(0, 12),
        st.sampled_from(["wire", "courier", "agency"]),
        st.integers(0, 3),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(REPORTS)
def test_reports_that_arrive_in_publication_order_never_need_catching_up(reports: list[Evidence]) -> None:
    in_order = sorted(reports, key=lambda e: e.published)
    assert _caught_up(STAGED, *in_order) == _caught_up(STAGED, *in_order, catching_up=False)


@settings(max_examples=300, deadline=None)
@given(REPORTS)
def test_after_catching_up_no_kept_report_newer_than_the_value_would_move_it(reports: list[Evidence]) -> None:
    state, _ = _caught_up(STAGED, *reports)
    assert catch_up(STAGED, state) is None


def test_an_older_report_read_late_is_no_news_and_leaves_nothing_to_catch_up() -> None:
    # The newest report already won when it came; an older one is no news, and nothing is left behind.
    state, changes = _caught_up(STATUS, _evidence("collapsed", 2), _evidence("agreed", 0))
    assert state.value == "collapsed" and [(a, b) for a, b, _ in changes] == [("none", "collapsed")]


def test_a_late_report_between_two_others_does_not_outlast_the_newest_word() -> None:
    # Agreed at 10 and again at 12 (the second no change then); a collapse at 11 read last. It is news, but
    # the 12 o'clock report is newer: the item ends agreed, as publication order tells it.
    again = _evidence("agreed", 12, "courier")
    state, changes = _caught_up(STATUS, _evidence("agreed", 10), again, _evidence("collapsed", 11))
    assert [(a, b) for a, b, _ in changes] == [("none", "agreed"), ("agreed", "collapsed"), ("collapsed", "agreed")]
    assert changes[-1][2] == again.evidence_id
    assert (state.value, state.since) == ("agreed", DAY + timedelta(hours=12))


# --- confirmation by several sources -------------------------------------------------------------------

def test_one_source_does_not_confirm() -> None:
    state, changes = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"))
    assert changes == [] and state.value == "none"


def test_a_second_source_within_the_window_confirms_with_both_pieces_of_evidence() -> None:
    state = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"))[0]
    decision = decide(TWO_SOURCES, state, _evidence("agreed", 20, "courier"))
    assert decision.change is not None and (decision.change.from_value, decision.change.to_value) == (
        "none", "agreed")
    assert decision.change.evidence_ids == ("ev-agreed-0-wire-0", "ev-agreed-20-courier-0")
    assert decision.new_state.since == DAY + timedelta(hours=20)  # confirmed when the second source spoke


def test_a_second_source_outside_the_window_does_not_confirm() -> None:
    _, changes = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"), _evidence("agreed", 72, "courier"))
    assert changes == []
    _, changes = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"), _evidence("agreed", 47, "courier"))
    assert changes == [("none", "agreed")]


def test_the_same_source_twice_is_one_source() -> None:
    _, changes = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"), _evidence("agreed", 1, "wire", n=1))
    assert changes == []


def test_confirmation_does_not_depend_on_the_order_reports_arrive_in() -> None:
    # the later report is read first, the earlier one arrives late: still two sources within 48h
    state, changes = _apply(TWO_SOURCES, _evidence("agreed", 30, "courier"), _evidence("agreed", 0, "wire"))
    assert changes == [("none", "agreed")]
    assert state.since == DAY + timedelta(hours=30)


def test_confirmation_needs_the_same_value_from_each_source() -> None:
    _, changes = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"), _evidence("completed", 1, "courier"))
    assert changes == []
    _, changes = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"), _evidence("completed", 1, "courier"),
                        _evidence("completed", 2, "agency"))
    assert changes == [("none", "completed")]


def test_three_sources_are_needed_when_three_are_asked_for() -> None:
    spec = ItemSpec.model_validate({**STATUS.model_dump(), "confirm": {"sources": 3, "within": "24h"}})
    reports = [_evidence("agreed", 0, "wire"), _evidence("agreed", 2, "courier"), _evidence("agreed", 4, "wire", 1)]
    assert _apply(spec, *reports)[1] == []
    state, changes = _apply(spec, *reports, _evidence("agreed", 5, "agency"))
    assert changes == [("none", "agreed")] and state.since == DAY + timedelta(hours=5)


def test_a_report_from_before_the_current_value_does_not_help_confirm_a_move_back() -> None:
    # Two outlets said "agreed", then two said it collapsed. One outlet repeating "agreed" an hour later is
    # one source, not two: the other outlet's "agreed" predates the collapse.
    state, changes = _apply(TWO_SOURCES, _evidence("agreed", 0, "wire"), _evidence("agreed", 1, "courier"),
                            _evidence("collapsed", 10, "wire"), _evidence("collapsed", 11, "courier"),
                            _evidence("agreed", 12, "wire"))
    assert state.value == "collapsed"
    assert changes == [("none", "agreed"), ("agreed", "collapsed")]


# --- bounds and purity ---------------------------------------------------------------------------------

def test_the_evidence_kept_for_confirmation_is_bounded_and_in_publication_order() -> None:
    state = ItemState("x", "none")
    for n in range(SUPPORT_LIMIT + 25):
        state = decide(STATUS, state, _evidence("agreed" if n % 2 else "none", hours=-n, n=n)).new_state
    assert len(state.support) == SUPPORT_LIMIT
    assert [s.published for s in state.support] == sorted(s.published for s in state.support)


def test_decide_is_pure() -> None:
    state = ItemState("x", "none")
    first = decide(STATUS, state, _evidence("agreed"))
    second = decide(STATUS, state, _evidence("agreed"))
    assert first == second and state == ItemState("x", "none")
