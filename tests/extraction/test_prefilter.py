"""The keyword prefilter saves work and never loses a match.

The property tests generate sentences two ways: from the rule corpus, and by sampling strings that each
shipped pattern's own structure describes (so most of them really match, unlike random text), in
varied letter case and surrounded by other words. For every sentence and every pattern: if the regex
matches, the pattern is among the prefilter's candidates.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]  # the parse tree has no public API
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest
from ruamel.yaml import YAML

from service.extraction.lemmas import forms
from service.extraction.prefilter import Prefilter, required_keywords
from service.extraction.sentences import split_sentences
from service.extraction.text import normalise
from service.rules.loader import load_rules
from service.rules.patterns import DATE_GROUP, DATE_PLACEHOLDER, CompiledPattern, compile_pattern
from service.rules.word_patterns import is_words_pattern

ROOT = Path(__file__).resolve().parents[2]
_WORDS = ("officials", "said", "on", "Monday", "Kyiv", "Moscow", "the", "talks", "in", "Istanbul", "after", "a")


def keywords(pattern: str, date: bool = False) -> frozenset[str]:
    """The keywords the prefilter keeps for an author's pattern."""
    return required_keywords(compile_pattern(pattern, date=date).regex.pattern)


@pytest.fixture(scope="module")
def shipped() -> list[CompiledPattern]:
    """Every evidence pattern of the rule files shipped in rules/."""
    rules = load_rules([ROOT / "rules"]).rules
    return [compile_pattern(p, date=spec.kind == "date" and p in spec.set, forms=forms)
            for spec in rules.items.values()
            for p in [*spec.set, *spec.unset, *(q for qs in spec.states.values() for q in qs)]]


@pytest.fixture(scope="module")
def prefilter(shipped: list[CompiledPattern]) -> Prefilter:
    return Prefilter([p.regex.pattern for p in shipped], [p.needs for p in shipped])


def _corpus_sentences() -> list[str]:
    corpus = YAML(typ="safe").load((Path(__file__).parent / "corpus.yaml").read_text(encoding="utf-8"))
    return [s for case in corpus["cases"] for s in split_sentences(normalise(case["text"]))]


def _never_dropped(prefilter: Prefilter, patterns: list[CompiledPattern], sentences: list[str]) -> int:
    """Assert the property on every (sentence, pattern) pair; the number of pairs that matched."""
    matched = 0
    for sentence in sentences:
        candidates = set(prefilter.candidates(sentence))
        for index, pattern in enumerate(patterns):
            if pattern.regex.search(sentence):
                matched += 1
                assert index in candidates, (pattern.source, sentence)
    return matched


# --- a sampler of strings a pattern describes ----------------------------------------------------------

def _in_class(char: str, members: list[tuple[Any, Any]]) -> bool:
    found = False
    for op, value in members:
        if op == sre.LITERAL:
            found |= char.lower() == chr(value).lower()
        elif op == sre.RANGE:
            found |= value[0] <= ord(char.lower()) <= value[1] or value[0] <= ord(char.upper()) <= value[1]
        elif op == sre.CATEGORY:
            found |= bool(re.fullmatch({sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_WORD: r"\w",
                                        sre.CATEGORY_SPACE: r"\s"}.get(value, r"\W"), char))
    return not found if members and members[0][0] == sre.NEGATE else found


def _sample(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    """One string the parsed items describe (lookarounds are ignored: the caller checks the real regex)."""
    out: list[str] = []
    for op, value in items:
        if op == sre.LITERAL:
            out.append(chr(value))
        elif op == sre.NOT_LITERAL:
            out.append("q" if chr(value).lower() != "q" else "z")
        elif op == sre.ANY:
            out.append(rng.choice("xk ,"))
        elif op == sre.IN:
            pool = [c for c in "abcdefghijklmnopqrstuvwxyz0123456789 ,.'-:/" if _in_class(c, value)]
            out.append(rng.choice(pool) if pool else "")
        elif op == sre.BRANCH:
            out.append(_sample(list(rng.choice(value[1])), rng))
        elif op == sre.SUBPATTERN:
            out.append(_sample(list(value[-1]), rng))
        elif op == getattr(sre, "ATOMIC_GROUP", None):
            out.append(_sample(list(value), rng))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)):
            low, high, body = value
            count = rng.randint(low, min(high, low + 3))
            out.extend(_sample(list(body), rng) for _ in range(count))
        # anchors, lookarounds and back-references add no text
    return "".join(out)


def _recase(text: str, rng: random.Random) -> str:
    return rng.choice((str.lower, str.upper, str.title, str.capitalize, lambda t: t))(text)


def _generated_sentences(patterns: list[CompiledPattern], per_pattern: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    sentences = []
    for pattern in patterns:
        # A words pattern is sampled from the regex it compiled to (its source is not a regex).
        source = pattern.regex.pattern if is_words_pattern(pattern.source) else pattern.source
        parsed = list(sre_parse.parse(source.replace(DATE_PLACEHOLDER, DATE_GROUP)))
        for _ in range(per_pattern):
            before = " ".join(rng.choices(_WORDS, k=rng.randint(0, 4)))
            after = " ".join(rng.choices(_WORDS, k=rng.randint(0, 4)))
            sentences.append(f"{before} {_recase(_sample(parsed, rng), rng)} {after}.".strip())
    return sentences


# --- what the prefilter keeps of a pattern -------------------------------------------------------------

@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"agreed? (to|on) (a|an|the) ([\w'-]+ ){0,3}(ceasefire|armistice)", {"ceasefire", "armistice"}),
        (r"(exchange|swap) (was|has been) completed", {"completed"}),  # not "was" or "been"
        (r"\d+ prisoners?", {"prisoner"}),
        (r"[Cc]easefire", {"ceasefire"}),
        (r"(the )?truce ([\w']+ ){0,3}collapsed", {"collapsed"}),
        (r"[^abc]+xyz", {"xyz"}),  # letters in a negated class are not required
        (r"(exchange|swap) will take place {date}", {"place"}),
    ],
)
def test_the_most_selective_required_words_are_chosen(pattern: str, expected: set[str]) -> None:
    assert keywords(pattern, date="{date}" in pattern) == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"(ceasefire )?\d+",  # the only word is optional
        r"(a|b) c",  # nothing long enough
        r"\d{1,2} [A-Z]\w+",  # classes and categories only
        r"(ceasefire|\d+) on",  # one branch has no word; "on" is too short to be worth it
        r"(?:truce){e<=1}",  # regex-module fuzzy matching: "truse" matches too
        r"\p{Lu}\w+ agreed",  # syntax Python's parser does not know
    ],
)
def test_a_pattern_without_usable_literal_words_is_always_a_candidate(pattern: str) -> None:
    prefilter = Prefilter([compile_pattern(pattern, date=False).regex.pattern, r"ceasefire"])
    assert prefilter.unfiltered == 1
    for sentence in ("nothing in common", "", "12 Truse agreed", "a ceasefire"):
        assert 0 in prefilter.candidates(sentence)
        assert prefilter.candidates(sentence, among=frozenset({0})) == [0]


def test_a_words_pattern_is_tried_only_where_each_word_it_requires_is() -> None:
    pattern = compile_pattern('words: project0001 ... "was"|"has been" approve', date=False, forms=forms)
    prefilter = Prefilter([pattern.regex.pattern], [pattern.needs])
    assert prefilter.candidates("Residents asked about project0001 at a meeting.") == []
    assert prefilter.candidates("Project0001, the bridge, has been APPROVED.") == [0]
    assert prefilter.candidates("project0001 was approving") == [0]  # any form: approves, approving
    assert prefilter.candidates("project0001 was approving", among=frozenset({0})) == [0]


def test_a_regex_pattern_is_tried_only_where_each_telling_word_it_requires_is() -> None:
    """Fifty items alike were each tried on every sentence about any of them (their keyword, "prisoner",
    is in all of them): now a sentence is tried against the one pattern whose every word it holds."""
    patterns = [compile_pattern(f"prisoner batch {n} (was|were) freed", date=False) for n in range(50)]
    prefilter = Prefilter([p.regex.pattern for p in patterns], [p.needs for p in patterns])
    assert prefilter.candidates("Prisoner batch 7 was freed at dawn.") == [7]
    assert prefilter.candidates("Talks on prisoner batch 7 went on.") == []  # no "freed": cannot match
    assert prefilter.candidates("Prisoner batch 17 was freed.") == [1, 7, 17]  # "1" and "7" are in "17"
    assert prefilter.candidates("Prisoner batch 7 was freed.", among=frozenset({7, 8})) == [7]


def test_a_sentence_without_any_keyword_tries_no_keyworded_pattern() -> None:
    prefilter = Prefilter([r"ceasefire (held|collapsed)", r"prisoners? (were )?(freed|exchanged)"])
    assert prefilter.candidates("The weather in Istanbul was fine.") == []
    assert prefilter.candidates("The CEASEFIRE held.") == [0]


# --- it never drops a match ----------------------------------------------------------------------------

def test_every_match_of_the_shipped_rules_on_the_corpus_is_a_candidate(
        shipped: list[CompiledPattern], prefilter: Prefilter) -> None:
    sentences = _corpus_sentences()
    assert _never_dropped(prefilter, shipped, sentences) > 50
    tried = sum(len(prefilter.candidates(s)) for s in sentences)
    assert tried < len(sentences) * len(shipped) / 3  # and it does save work


def test_every_match_of_the_shipped_rules_on_sampled_sentences_is_a_candidate(
        shipped: list[CompiledPattern], prefilter: Prefilter) -> None:
    sentences = _generated_sentences(shipped, per_pattern=25, seed=7)
    # the sampler mostly writes what the patterns describe (lookarounds refuse some of it)
    assert _never_dropped(prefilter, shipped, sentences) > len(sentences) * 0.6


def test_narrowing_to_some_patterns_gives_the_same_answer_as_filtering_afterwards(
        shipped: list[CompiledPattern], prefilter: Prefilter) -> None:
    rng = random.Random(3)
    sentences = _corpus_sentences()[:60] + _generated_sentences(shipped[:20], per_pattern=3, seed=5)
    for sentence in sentences:
        everything = set(prefilter.candidates(sentence))
        for size in (0, 1, 3, len(shipped) // 2, len(shipped)):
            among = frozenset(rng.sample(range(len(shipped)), size))
            assert prefilter.candidates(sentence, among) == sorted(everything & among)


@pytest.mark.parametrize("sentence", ["İstanbul talks resumed on Monday.", "TALKS IN TÜRKİYE RESUMED"])
def test_a_match_on_letters_that_lower_case_into_two_is_a_candidate(sentence: str) -> None:
    patterns = [compile_pattern(r"(istanbul|ankara) talks (resumed|ended)", date=False),
                compile_pattern(r"talks in türkiye (resumed|ended)", date=False)]
    prefilter = Prefilter([p.regex.pattern for p in patterns])
    assert _never_dropped(prefilter, patterns, [sentence]) == 1


@pytest.mark.parametrize(
    ("pattern", "sentence"),
    [
        (r"ıraq talks", "IRAQ TALKS"),  # dotless i is matched by I
        (r"ΟΔΟΣ talks", "οδος talks"),  # a final sigma is matched by a capital one
        (r"straße talks", "STRAẞE TALKS"),
    ],
)
def test_letters_the_regex_treats_as_one_select_the_pattern(pattern: str, sentence: str) -> None:
    prefilter = Prefilter([compile_pattern(pattern, date=False).regex.pattern])
    assert prefilter.candidates(sentence) == [0]
