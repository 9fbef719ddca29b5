"""A keyword is not a state: negation, hedge and condition cues veto matches, judged against the predicate.

The rules here are deliberately naive (a pattern as loose as the keyword itself), so that only the guards
stand between a sentence and a false alert.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText, Veto
from service.rules.models import RuleSet

PUBLISHED = datetime(2025, 6, 7, 11, tzinfo=UTC)
NAIVE = RuleSet.model_validate({"items": {
    "ceasefire": {
        "title": "Ceasefire",
        "scope": [["ukraine", "kyiv"], ["russia", "moscow"]],
        "states": {
            "agreed": ["(ceasefire|truce)( agreement)?( was| is| be)?( agreed)?"],
            "in_effect": ["(took|taken|take) effect", "(ceasefire|truce) holds"],
            "collapsed": ["(ceasefire|truce) ([\\w']+ ){0,3}collapsed"],
        },
    },
}})
CONTEXT = " Russia and Ukraine were both named."


def judged(text: str, rules: RuleSet = NAIVE) -> tuple[set[tuple[str, str]], list[Veto]]:
    entry = EntryText("wire", "g", "", "", text + CONTEXT, PUBLISHED)
    reports = Extractor(rules).explain(entry)
    found = {(f.item, f.value) for r in reports for f in r.findings}
    return found, [v for r in reports for v in r.vetoes]


@pytest.mark.parametrize(
    ("text", "guard", "cue"),
    [
        ("The talks ended without a ceasefire agreement.", "negation", "without"),
        ("No ceasefire was agreed.", "negation", "no"),
        ("The meeting failed to produce a ceasefire.", "negation", "failed to"),
        ("The ceasefire has not taken effect yet.", "negation", "has not"),
        ('"There is no ceasefire," he said.', "negation", "there is no"),
        ("A ceasefire could be agreed within days.", "hedge", "could"),
        ("Ukraine called for a ceasefire.", "hedge", "called for"),
        ("If a ceasefire is agreed, prisoners will be freed.", "hedge", "if"),
        ("Zelensky did not rule out a ceasefire.", "hedge", "did not rule out"),
        ("Russia rejected a proposal for a 30-day ceasefire.", "hedge", "proposal for"),
        ("Is a ceasefire agreed?", "hedge", "?"),
        ("Kyiv urged Moscow to accept a truce.", "hedge", "urged"),
        ("A truce is expected to take effect on Monday.", "hedge", "expected to"),
    ],
)
def test_a_cue_in_the_same_clause_vetoes_the_match(text: str, guard: str, cue: str) -> None:
    found, vetoes = judged(text)
    assert found == set()
    assert (guard, cue) in {(v.guard, v.cue) for v in vetoes}
    assert all(v.reason for v in vetoes)


def test_plain_statements_are_accepted() -> None:
    assert judged("The ceasefire took effect at midnight.")[0] == {("ceasefire", "agreed"), ("ceasefire", "in_effect")}


def test_a_negation_outside_the_predicate_clause_does_not_count() -> None:
    found, vetoes = judged("Russia had refused for months, but the truce took effect at midnight.")
    assert ("ceasefire", "in_effect") in found


def test_no_prisoner_swap_until_the_ceasefire_holds_is_a_condition_not_a_denial_of_the_ceasefire() -> None:
    found, vetoes = judged("There will be no prisoner swap until the ceasefire holds.")
    assert ("ceasefire", "in_effect") not in found
    holds = [v for v in vetoes if v.value == "in_effect"]
    assert [(v.guard, v.cue) for v in holds] == [("hedge", "until")]  # not the "no" of "no prisoner swap"


def test_the_ceasefire_has_not_collapsed_negates_collapsed() -> None:
    found, vetoes = judged("The ceasefire has not collapsed.")
    assert ("ceasefire", "collapsed") not in found
    cues = {(v.guard, v.cue) for v in vetoes if v.value == "collapsed"}
    assert cues <= {("negation", "not"), ("negation", "has not")}
    assert any(v.value == "collapsed" for v in vetoes)


def test_pseudo_negations_are_not_negations() -> None:
    assert ("ceasefire", "in_effect") in judged("Not only did the truce take effect, it held all week.")[0]
    assert ("ceasefire", "agreed") in judged("There is no doubt the ceasefire was agreed.")[0]


def test_a_time_clause_is_a_condition_in_the_present_and_a_fact_in_the_past() -> None:
    assert ("ceasefire", "in_effect") not in judged("Shelling will stop once the truce takes effect.")[0]
    assert ("ceasefire", "in_effect") in judged("Shelling stopped once the truce took effect.")[0]


def test_a_side_remark_does_not_lend_its_negation_to_the_main_clause() -> None:
    found, _ = judged("Moscow, which had refused any pause, said the truce took effect at dawn.")
    assert ("ceasefire", "in_effect") in found


def test_a_relative_clause_after_the_predicate_is_about_something_else() -> None:
    found, _ = judged("Both sides agreed a ceasefire agreement that has not been published.")
    assert ("ceasefire", "agreed") in found
    found, vetoes = judged("The ceasefire agreement has not been published.")
    assert ("ceasefire", "agreed") not in found


def test_an_earlier_year_in_the_clause_makes_it_background() -> None:
    found, vetoes = judged("The ceasefire took effect in 2022.")
    assert found == set() and {v.guard for v in vetoes} == {"background"}
    assert ("ceasefire", "in_effect") in judged("The first truce since 2022 took effect today.")[0]


def test_rule_files_extend_the_built_in_cues_at_the_top_level_and_per_item() -> None:
    rules = RuleSet.model_validate({
        "cues": {"negation": ["called off"], "pseudo_negation": ["in no time"], "terminators": ["meanwhile"]},
        "items": {
            "truce": {"title": "T", "states": {"on": ["truce took effect"]}, "cues": {"hedge": ["mooted"]}},
            "talks": {"title": "Talks", "states": {"on": ["talks (began|opened)"]}},
        },
    })

    def found(text: str) -> set[str]:
        return {item for item, _ in judged(text, rules)[0]}

    assert found("In no time the truce took effect.") == {"truce"}  # a pseudo-negation from the file
    assert found("Kyiv did not comment meanwhile the truce took effect.") == {"truce"}  # a terminator
    assert found("The talks began and were called off.") == set()  # a negation from the file, after it
    assert found("The talks began on Monday in Istanbul, long before the earlier round was called off.") == {"talks"}
    assert found("Officials mooted that the truce took effect and talks began.") == {"talks"}  # item's own hedge


def test_a_turkish_cue_vetoes_whatever_the_case_of_its_dotted_and_dotless_i() -> None:
    # A cue is looked for in the folded sentence: "İPTAL EDİLDİ" and "iptal edildi" (called off) are one cue,
    # and the positions found still cut the original sentence (the fold keeps its length).
    rules = RuleSet.model_validate({
        "cues": {"negation": ["İptal edildi"]},
        "items": {"truce": {"title": "T", "states": {"on": ["ateşkes (anlaşması )?(imzalandı|onaylandı)"]}}},
    })
    for text in ("Ateşkes anlaşması imzalandı, ardından İPTAL EDİLDİ.", "Ateşkes onaylandı ve iptal edildi.",
                 "ATEŞKES İMZALANDI VE İPTAL EDİLDİ."):
        found, vetoes = judged(text, rules)
        assert found == set(), text
        assert {v.cue.casefold().replace("i̇", "i") for v in vetoes} == {"iptal edildi"}, text
    assert judged("Ateşkes anlaşması imzalandı.", rules)[0] == {("truce", "on")}


def test_a_cue_the_author_wrote_into_the_pattern_is_what_it_asks_for() -> None:
    rules = RuleSet.model_validate({"items": {"date": {
        "title": "D", "kind": "date", "set": ["swap (will|would) take place {date}"],
        "unset": ["date has not (yet )?been announced", "swap (is|was) no longer planned"],
    }}})
    assert judged("The date has not yet been announced.", rules)[0] == {("date", "unannounced")}
    assert judged("The swap is no longer planned.", rules)[0] == {("date", "unannounced")}
    # ... but "would" in a date announcement still needs reported speech, written in the pattern or not
    assert judged("The swap would take place on Monday.", rules)[0] == set()
    assert judged("Officials said the swap would take place on Monday.", rules)[0] == {("date", "2025-06-09")}


def test_will_is_firm_but_could_may_and_hopes_are_not() -> None:
    rules = RuleSet.model_validate({"items": {"date": {
        "title": "D", "kind": "date", "set": ["swap ([\\w']+ ){0,3}take place {date}"]}}})
    assert judged("The swap will take place on Monday.", rules)[0] == {("date", "2025-06-09")}
    assert judged("The swap is scheduled to take place on Monday.", rules)[0] == {("date", "2025-06-09")}
    for hedged in ("The swap could take place on Monday.", "The swap may take place on Monday.",
                   "Kyiv hopes the swap will take place on Monday.",
                   "The swap will take place on Monday if the truce holds."):
        assert judged(hedged, rules)[0] == set(), hedged


def test_the_month_may_is_not_the_modal_may() -> None:
    assert ("ceasefire", "in_effect") in judged("In May the truce took effect.")[0]
    assert ("ceasefire", "in_effect") not in judged("The truce may take effect soon.")[0]
