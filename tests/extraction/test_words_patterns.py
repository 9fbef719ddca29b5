"""Words patterns (issue 19, item 11): the predicate's words in order within one clause, gaps allowed, any
form of each word, judged by the same guards as regexes and shown by ``vigil explain``."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.extraction.extractor import Extractor
from service.extraction.lemmas import forms, lemma
from service.extraction.types import EntryText
from service.rules.models import RuleSet

MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)
ISSUE_SENTENCE = ("Delegates of the teachers' federation in the northern region will vote on the revised offer "
                  "on 14 March.")


def extractor(**items: dict[str, object]) -> Extractor:
    return Extractor(RuleSet.model_validate({"items": items}))


def read(rules: Extractor, text: str) -> list[tuple[str, str]]:
    return [(f.item, f.value) for f in rules.extract(EntryText("wire", "1", "", "", text, MONDAY))]


def vetoes(rules: Extractor, text: str) -> list[tuple[str, str]]:
    reports = rules.explain(EntryText("wire", "1", "", "", text, MONDAY))
    return [(v.guard, v.cue) for report in reports for v in report.vetoes]


@pytest.fixture(scope="module")
def vote() -> Extractor:
    return extractor(**{"vote-date": {"title": "Vote", "kind": "date",
                                      "set": [{"words": ["vote", "offer", "{date}"]}]}})


def test_the_issue_sentence_with_a_long_subject_is_found(vote: Extractor) -> None:
    assert read(vote, ISSUE_SENTENCE) == [("vote-date", "2026-03-14")]
    # The regex the blind author wrote misses it: four words allowed between subject and verb, six there.
    regex = extractor(v={"title": "V", "kind": "date",
                         "set": [r"delegates ([\w'-]+ ){0,4}will vote on ([\w'-]+ ){0,3}offer on {date}"]})
    assert read(regex, ISSUE_SENTENCE) == []


@pytest.mark.parametrize("text", ["Teachers voted on the offer on Monday.",
                                  "The union votes on the new offer on 9 March.",
                                  "Voting on the pay offer starts on 9 March."])
def test_any_form_of_a_word_matches(vote: Extractor, text: str) -> None:
    assert len(read(vote, text)) == 1


def test_a_word_in_quotes_matches_only_as_written() -> None:
    rules = extractor(s={"title": "S", "states": {"held": [{"words": 'summit ... "held"'}]}})
    assert read(rules, "The summit was held in Geneva.") == [("s", "held")]
    assert read(rules, "The summit holds its first session.") == []


def test_phrases_choices_options_and_exclusions() -> None:
    rules = extractor(c={"title": "C", "states": {
        "in_effect": [{"words": "ceasefire|truce !talks|negotiations ... (take effect|come into force) [overnight]"}]}})
    assert read(rules, "The truce between the two armies took effect overnight.") == [("c", "in_effect")]
    assert read(rules, "A ceasefire came into force.") == [("c", "in_effect")]
    assert read(rules, "Ceasefire talks took effect at once.") == []  # "talks" may not follow "ceasefire"
    assert read(rules, "Ceasefire negotiations came into force.") == []


@pytest.mark.parametrize("text", [
    "The strike was not part of the plan; the union will call off the meeting.",  # ';' ends the clause
    "The strike went ahead, but the union said it would call off the march.",   # so does "but"
    "The strike by drivers of the northern regional lines of the national railway company was called off.",  # 12
])
def test_a_gap_stays_in_one_clause_and_holds_at_most_eight_words(text: str) -> None:
    rules = extractor(s={"title": "S", "states": {"off": [{"words": "strike ... call off"}]}})
    assert read(rules, text) == []


def test_the_guards_judge_a_words_pattern_as_a_regex(vote: Extractor) -> None:
    assert read(vote, "Teachers could vote on the offer on 14 March.") == []
    assert vetoes(vote, "Teachers could vote on the offer on 14 March.") == [("hedge", "could")]
    # Words the pattern spells out are never held against it.
    unset = extractor(d={"title": "D", "kind": "date", "set": [{"words": "vote ... {date}"}],
                         "unset": [{"words": "date ... not [yet] been announce"}]})
    assert read(unset, "The date of the vote has not yet been announced.") == [("d", "unannounced")]


def test_explain_shows_the_words_pattern(tmp_path: Path) -> None:
    rules = tmp_path / "vote.yaml"
    rules.write_text("items:\n  vote-date:\n    title: Vote\n    kind: date\n"
                     "    set:\n      - words: vote ... offer ... {date}\n")
    shown = subprocess.run([sys.executable, "-m", "service.cli", "explain", "--rules", str(rules),
                            "--published", "2026-03-02", ISSUE_SENTENCE], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "ACCEPTED  vote-date -> 2026-03-14    pattern: words: vote ... offer ... {date}" in shown.stdout


def test_lemmas_and_forms_come_from_the_dictionary_in_the_wheel() -> None:
    assert lemma("voted") == "vote" and lemma("took") == "take" and lemma("talks") == "talk"
    assert {"vote", "votes", "voted", "voting"} <= forms("vote")
    assert {"hold", "holds", "held", "holding"} <= forms("held")
    assert forms("Zelensky") == {"zelensky"}  # unknown to the dictionary: as written
    assert "обміну" in forms("обмін", "uk") and lemma("договорились", "ru").startswith("договор")
