"""What the guards need to know of a language beyond its cue lists: where clauses end, which words make a
time clause look ahead, what a modal right after a noun is, how to tell a past-tense predicate.

English's grammar is in ``guards.py`` (where it grew); Ukrainian's and Russian's are in ``cues_uk.py``
and ``cues_ru.py``, next to their cue lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import regex

from service.extraction.word_forms import is_future_verb, is_infinitive, is_past_verb, is_present_or_future_verb

_WORD = regex.compile(r"[\w'-]+")


@dataclass(frozen=True)
class Grammar:
    """The language-specific regexes and word sets the guards read."""

    clause_boundary: regex.Pattern[str]
    side_remark: regex.Pattern[str]
    relative_clause: regex.Pattern[str]
    #: Right after a bare noun ("a ceasefire could be agreed"), a modal makes the predicate uncertain.
    modal_after: regex.Pattern[str]
    #: Whether a sentence looks ahead ("will", "next"; a Slavic verb in the future tense), which makes its
    #: time clauses conditions.
    future: Callable[[str], bool]
    #: Whether a time clause's own words are in the present (or, in Slavic languages, the future) tense.
    present: Callable[[str], bool]
    #: Whether a predicate is in the past tense ("took effect", "домовилися").
    is_past: Callable[[str], bool]
    #: Whether the predicate's first word is a bare verb of aim (English "to" + verb, a Slavic infinitive).
    aim: Callable[[str, str], str | None]
    #: Words after which "nearly"/"майже" is a quantity, not something that nearly happened.
    quantity_after: regex.Pattern[str]
    quantifiers: frozenset[str]
    #: Time-clause words that always look ahead when the predicate is not in the past.
    always_ahead: frozenset[str]
    #: Modals reach only the verb they govern (a shorter window).
    modals: frozenset[str]
    #: Verbs of saying: a modal after them is about what was said, not the saying.
    saying: frozenset[str]
    #: Background: a year that dates a clause, and words that put it in the past.
    year: regex.Pattern[str]
    earlier: regex.Pattern[str]
    #: Hedge cues that are also nouns, and what before them makes them a thing, not a wish (English only).
    noun_sense: frozenset[str] = field(default_factory=frozenset)
    determiner_before: regex.Pattern[str] | None = None
    proposes_after: regex.Pattern[str] | None = None
    #: Words of a disputed report that are also a noun or an adjective ("claims of damage", "an alleged
    #: attack"), which then report nothing about the predicate (English only).
    claim_words: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class _Morphology:
    """The tense and infinitive checks of an inflected language, read from its dictionary."""

    language: str
    future_words: regex.Pattern[str]

    def is_past(self, predicate: str) -> bool:
        return any(is_past_verb(word, self.language) for word in _WORD.findall(predicate))

    def present(self, own: str) -> bool:
        return any(is_present_or_future_verb(word, self.language) for word in _WORD.findall(own))

    def future(self, text: str) -> bool:
        """A sentence looks ahead when it says so ("завтра", "наступного") or has a verb in the future tense."""
        return bool(self.future_words.search(text)) or any(
            is_future_verb(word, self.language) for word in _WORD.findall(text))

    def aim(self, before: str, first_word: str) -> str | None:
        """"Погодилися обмінятися": an infinitive is what was agreed to do, not what was done."""
        return first_word if before.strip() and is_infinitive(first_word, self.language) else None


def slavic_grammar(language: str, *, future_words: regex.Pattern[str], **fields: Any) -> Grammar:
    """The grammar of Ukrainian or Russian: the given regexes and word sets, with tense and infinitive
    read from the language's dictionary (``word_forms``)."""
    morphology = _Morphology(language, future_words)
    return Grammar(future=morphology.future, present=morphology.present, is_past=morphology.is_past,
                   aim=morphology.aim, **fields)
