"""Which patterns are worth trying on a sentence: one Aho-Corasick pass over it, not every regex.

Each pattern is parsed once, and the literal text it *requires* is worked out from its structure: a
sequence requires what each part requires; an alternation requires one of its branches' requirements;
optional parts (``?``, ``*``, ``{0,n}``), character classes and lookarounds require nothing. Of the
requirements a pattern has, the most selective indexes it: a set of keywords, one of which every match
contains ("ceasefire" or "truce", rather than "was" or "has been"). A sentence is tried against a
pattern only if it contains one of that pattern's keywords and every other telling word the pattern
requires. Patterns with no usable requirement (nothing literal, or syntax only the ``regex`` module
knows) are tried on every sentence, so the prefilter can only save work, never lose a match.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from re import _constants as sre  # type: ignore[attr-defined]  # no public API exposes the parse tree
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

from service.extraction.folding import fold

#: A keyword this short, or a common word, selects too many sentences to be worth using.
MIN_KEYWORD = 3
_COMMON = frozenset({
    "the", "and", "for", "with", "from", "that", "this", "was", "were", "are", "been", "has", "have", "had",
    "will", "would", "its", "his", "her", "their", "not", "but", "who", "which", "what", "when", "where",
    "said", "says", "into", "than", "then", "them", "they", "there", "after", "before", "about", "over",
})
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))
# regex-module syntax that Python's parser would read as literal text: fuzzy matching "(?:x){e<=1}".
_REGEX_ONLY = re.compile(r"\{[eisd][<=,}]")

Need = frozenset[str]  # one of these strings occurs (folded, see folding.py) in every match


def required_keywords(regex_source: str, flags: int = re.IGNORECASE) -> frozenset[str]:
    """The keywords one of which every match of ``regex_source`` contains; empty if there is no such set."""
    if _REGEX_ONLY.search(regex_source):
        return frozenset()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = sre_parse.parse(regex_source, flags & ~re.VERBOSE)
    except Exception:  # syntax only the regex module knows ("\p{L}", "(?V1)"): no prefilter, not wrong
        return frozenset()
    need = _best(_needs(list(parsed)))
    if need is None:
        return frozenset()
    keywords = frozenset(_keyword(text) for text in need)
    return keywords if _score(keywords) >= MIN_KEYWORD else frozenset()


def required_words(regex_source: str, flags: int = re.IGNORECASE) -> tuple[Need, ...]:
    """Everything every match of ``regex_source`` contains, as sets of words one of which it holds each:
    each word of each literal text it requires, and of each alternation one word of each branch.

    ``required_keywords`` keeps the most selective requirement to index the pattern by; a sentence that
    holds it but lacks another requirement cannot match either. Fifty items "prisoner batch N was freed"
    each indexed by "prisoner" were all tried on every sentence about any batch; requiring every word
    ("batch", "7", "freed") tries only the one a sentence can match. Words in ``_COMMON`` and
    one- or two-letter words other than numbers are left out: they are in nearly every sentence.
    """
    if _REGEX_ONLY.search(regex_source):
        return ()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = sre_parse.parse(regex_source, flags & ~re.VERBOSE)
    except Exception:  # syntax only the regex module knows: no requirement, never a lost match
        return ()
    required: list[Need] = []
    for need in _needs(list(parsed)):
        if len(need) == 1:  # one literal text: each of its words is required on its own
            required += [frozenset({word}) for word in re.findall(r"\w+", next(iter(need))) if _telling(word)]
        else:  # an alternation: one branch's word; the set is worth checking only if every branch has one
            words = {_keyword(text) for text in need}
            if all(_telling(word) for word in words):
                required.append(frozenset(words))
    return tuple(dict.fromkeys(required))


def _telling(word: str) -> bool:
    """Whether a required word is rare enough in sentences to be worth looking for."""
    return word.isdigit() or (len(word) >= MIN_KEYWORD and word not in _COMMON)


def _needs(items: list[tuple[Any, Any]]) -> list[Need]:
    """Everything a sequence of parsed items requires (each a set of alternatives)."""
    needs: list[Need] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            needs.append(frozenset({fold("".join(run))}))
            run.clear()

    for op, value in items:
        if op == sre.LITERAL:
            run.append(chr(value))
            continue
        if op == sre.IN and _single_letter(value) is not None:
            run.append(_single_letter(value) or "")  # "[Cc]" is the letter c in either case
            continue
        flush()
        if op == sre.SUBPATTERN:
            needs.extend(_needs(list(value[-1])))
        elif op == getattr(sre, "ATOMIC_GROUP", None):
            needs.extend(_needs(list(value)))
        elif op in _REPEATS and value[0] >= 1:
            needs.extend(_needs(list(value[2])))
        elif op == sre.BRANCH:
            branches = [_best(_needs(list(branch))) for branch in value[1]]
            if branches and all(b is not None for b in branches):
                needs.append(frozenset().union(*branches))  # type: ignore[arg-type]
        # Anything else (classes, "any", lookarounds, optional parts, anchors) requires nothing.
    flush()
    return needs


def _single_letter(members: list[tuple[Any, Any]]) -> str | None:
    letters = {fold(chr(v)) for op, v in members if op == sre.LITERAL}
    if len(letters) == 1 and all(op == sre.LITERAL for op, _ in members):
        return letters.pop()
    return None


def _keyword(text: str) -> str:
    """The best word inside a required text: every substring of a required text is required too."""
    words = re.findall(r"\w+", text) or [text]
    return max(words, key=lambda w: (w not in _COMMON, len(w)))


def _score(need: frozenset[str]) -> float:
    if not need:
        return 0
    return min((len(w.strip()) if w.strip() not in _COMMON else len(w.strip()) / 3) for w in map(_keyword, need))


def _best(needs: list[Need]) -> Need | None:
    usable = [need for need in needs if need]
    return max(usable, key=_score) if usable else None


class Prefilter:
    """Maps a sentence to the indexes of the patterns that could match it."""

    def __init__(self, regex_sources: Sequence[str], all_of: Sequence[Sequence[frozenset[str]]] = ()) -> None:
        """``all_of`` (optional, per pattern): sets of texts of which a match holds one each (a words pattern's
        required words in all their forms); a sentence missing one of them is not tried either."""
        self._keywords: list[frozenset[str]] = [required_keywords(source) for source in regex_sources]
        given = [tuple(frozenset(fold(text) for text in need) for need in needs) for needs in all_of]
        given += [()] * (len(regex_sources) - len(given))
        self._all_of = [tuple(dict.fromkeys((*words, *required_words(source))))
                        for words, source in zip(given, regex_sources, strict=True)]
        self._always = frozenset(i for i, words in enumerate(self._keywords) if not words)
        self._owners: dict[str, tuple[int, ...]] = {}
        for index, words in enumerate(self._keywords):
            for word in words:
                self._owners[word] = (*self._owners.get(word, ()), index)
        self._automaton = ahocorasick.Automaton()
        searched = set(self._owners).union(*(need for needs in self._all_of for need in needs))
        for word in searched:
            self._automaton.add_word(word, word)
        if searched:
            self._automaton.make_automaton()

    @property
    def unfiltered(self) -> int:
        """How many patterns are tried on every sentence (no usable keyword)."""
        return len(self._always)

    def candidates(self, sentence: str, among: frozenset[int] | None = None) -> list[int]:
        """Indexes of the patterns to try on ``sentence`` (only those in ``among``, if given), ascending.

        The work is the smaller of two: the patterns owning the keywords the sentence contains, or the
        patterns in ``among`` (when scope has already narrowed an entry to a few items).
        """
        hits = {word for _end, word in self._automaton.iter(fold(sentence))} if self._automaton.kind else set()
        by_keyword = sum(len(self._owners.get(word, ())) for word in hits) + len(self._always)
        if among is not None and len(among) < by_keyword:
            chosen = {i for i in among if i in self._always or not self._keywords[i].isdisjoint(hits)}
        else:
            chosen = set(self._always)
            for word in hits:
                chosen.update(self._owners.get(word, ()))
            chosen = chosen if among is None else chosen & among
        return sorted(i for i in chosen if all(not need.isdisjoint(hits) for need in self._all_of[i]))
