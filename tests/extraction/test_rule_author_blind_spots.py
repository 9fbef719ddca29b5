"""What a rule author could not see through ``explain`` (issue 19, item 12 (a)-(f)): each fixed or documented."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText
from service.rules.models import RuleSet
from service.state.decision import Evidence, initial_state
from service.state.fold import fold

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)


def extractor(items: dict[str, object], cues: dict[str, object] | None = None) -> Extractor:
    return Extractor(RuleSet.model_validate({"items": items, **({"cues": cues} if cues else {})}))


def entry(text: str, title: str = "", published: datetime = MONDAY) -> EntryText:
    return EntryText("wire", "1", "", title, text, published)


def read(rules: Extractor, text: str, title: str = "") -> list[tuple[str, str]]:
    return [(f.item, f.value) for f in rules.extract(entry(text, title))]


def vetoes(rules: Extractor, text: str) -> list[tuple[str, str]]:
    return [(v.guard, v.cue) for report in rules.explain(entry(text)) for v in report.vetoes]


STRIKE = {"strike": {"title": "Strike",
                     "states": {"off": ["(strike (was |has been )?called off|called off the strike)"]}}}


@pytest.mark.parametrize("text", ["Teachers will vote on the new offer on 14 March.",
                                  "Teachers will vote on the new offer on 14 March at the union hall."])
def test_a_free_word_part_before_date_leaves_the_slot_the_whole_day(text: str) -> None:
    """(a) The free-word part took "on 14" and left "March" (or "at the union hall") to {date}."""
    rules = extractor({"vote": {"title": "Vote", "kind": "date", "set": [r"offer ([\w'-]+ ){0,3}{date}"]}})
    assert read(rules, text) == [("vote", "2026-03-14")]


def test_two_states_of_one_sentence_give_two_changes_in_declaration_order() -> None:
    """(b) Documented: one sentence, evidence for two states, two changes (agreed, then in_effect)."""
    spec = {"title": "Truce", "states": {"agreed": ["truce was agreed"], "in_effect": ["truce took effect"]},
            "initial": "none"}
    rules = extractor({"truce": spec})
    text = "A truce took effect at noon; the truce was agreed overnight."  # the text's order is the other
    findings = rules.extract(entry(text))
    assert [(f.item, f.value) for f in findings] == [("truce", "agreed"), ("truce", "in_effect")]
    item = RuleSet.model_validate({"items": {"truce": spec}}).items["truce"]
    state, moves = initial_state("truce", item), []
    for number, finding in enumerate(findings):
        decided = fold(item, state, Evidence("truce", finding.value, "wire", MONDAY, f"e{number}"))
        if decided.state.value != state.value:
            moves.append((state.value, decided.state.value))
        state = decided.state
    assert moves == [("none", "agreed"), ("agreed", "in_effect")]


def test_check_notes_two_states_that_accept_one_sentence_of_the_items_tests(tmp_path: Path) -> None:
    """(b) ``vigil check`` says so, from the item's own test cases (a note: exit 0)."""
    (tmp_path / "strike.yaml").write_text(
        "items:\n  strike:\n    title: Rail strike\n    states:\n"
        "      called_off: [words: strike ... call off]\n      over: [words: strike ... (call off|end)]\n")
    (tmp_path / "strike.test.yaml").write_text(
        "cases:\n  - name: off\n    published: 2026-03-02T10:00:00Z\n"
        "    text: The strike was called off on Monday.\n    expect: {strike: over}\n")
    for target in (tmp_path, tmp_path / "strike.yaml"):
        checked = subprocess.run([sys.executable, "-m", "service.cli", "check", str(target)],
                                 capture_output=True, text=True, timeout=120)
        assert checked.returncode == 0, checked.stderr
        notes = [line for line in checked.stdout.splitlines() if "note:" in line]
        assert notes == [
            f"{tmp_path / 'strike.yaml'}:2: note: item 'strike': states 'called_off' and 'over' both accept \"The "
            f"strike was called off on Monday.\" ({tmp_path / 'strike.test.yaml'}, case 'off'): one sentence gives "
            "two changes, in the order the states are declared (called_off, then over)"]


@pytest.mark.parametrize("text", ["Teachers voted in favour of the strike.", "Teachers voted in favor of the strike."])
def test_a_cue_in_an_optional_part_of_the_pattern_is_the_patterns_own(text: str) -> None:
    """(c) "in favou?r of" spells "in favour of" and "in favor of": neither is held against it."""
    rules = extractor({"strike": {"title": "Strike", "states": {"backed": ["in favou?r of the strike"],
                                                                "doubted": ["(may|might) (yet )?end the strike"]}}})
    assert read(rules, text) == [("strike", "backed")]
    assert read(rules, "Ministers said talks might yet end the strike.") == [("strike", "doubted")]


@pytest.mark.parametrize("text", [
    "Following a new offer, the union called off the strike.",
    "Following demands from commuters, the union called off the strike.",
    "Following an offer of more pay, the union called off the strike.",
    "After offers from the company, the union called off the strike.",
    "The union, after demands from commuters, called off the strike.",
    "Under a proposal from the mediator, the union called off the strike.",
])
def test_a_noun_hedge_does_not_veto_across_a_comma(text: str) -> None:
    """(d) The offer is the background of the deed, not a proposal of it."""
    assert read(extractor(STRIKE), text) == [("strike", "off")]


@pytest.mark.parametrize(("text", "cue"), [
    ("The unions demand, once more, that the strike was called off.", "demand"),  # a verb: still a wish
    ("An offer to have the strike called off was made.", "offer"),  # no comma: still a proposal
])
def test_a_hedge_that_is_a_verb_or_has_no_comma_still_vetoes(text: str, cue: str) -> None:
    assert vetoes(extractor(STRIKE), text) == [("hedge", cue)]


def test_background_years_and_pseudo_negations_as_documented() -> None:
    """(e) A clause dated before the publication year is background; a pseudo-negation masks hedges too."""
    rules = extractor(STRIKE)
    assert vetoes(rules, "The strike was called off in 2024 after a week.") == [("background", "2024")]
    assert vetoes(rules, "Last year the strike was called off after a week.") == [("background", "last year")]
    assert read(rules, "The strike was called off in 2026 after a week.") == [("strike", "off")]
    # "planned" is a hedge, but "as planned" is a built-in pseudo-negation: it is blanked before cues are sought.
    assert read(rules, "As planned, the union called off the strike.") == [("strike", "off")]
    text = "If anything, the union called off the strike too late."
    assert vetoes(rules, text) == [("hedge", "if")]
    assert read(extractor(STRIKE, cues={"pseudo_negation": ["if anything"]}), text) == [("strike", "off")]


def test_anchors_hold_on_a_body_sentence_ending_in_a_full_stop() -> None:
    """(f) ``^...$`` matched titles only; a body sentence is read without its closing full stop."""
    rules = extractor({"strike": {"title": "Strike", "states": {"began": ["^the strike began on monday$"]}}})
    assert read(rules, "The strike began on Monday.") == [("strike", "began")]
    assert read(rules, "", title="The strike began on Monday") == [("strike", "began")]
    assert read(rules, "The strike began on Monday in the north.") == []
