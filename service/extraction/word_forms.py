"""Word forms in inflected languages: a word in a Ukrainian or Russian pattern matches any of its forms.

"домовилися" in a pattern matches "домовились", "домовилась" and "домовився"; "Україна" in a scope
group matches "України", "Україні", "Україною". Matching works on lemmas (dictionary forms, from
``pymorphy3`` and its Ukrainian and Russian dictionaries, shipped as packages): two words match when
they share a lemma and are the same part of speech, and two verbs only in the same tense ("відбувся",
took place, never finds "відбудеться", will take place: the tense is the news). Cue words match in
every form of their lemma. Patterns are expanded once, when rules are compiled, into an alternation of
the forms of each of their plain words, so reading a sentence costs no morphology for the patterns.

What counts as a plain word of a pattern: a run of Cyrillic letters (and apostrophes) standing alone
between spaces, group brackets, ``|`` or the pattern's ends, with no quantifier or class attached.
``домовил\\w*`` or ``обмін(у|ом)`` are taken as written. A word the dictionary does not know (a new
surname) matches only as written; give its forms with a regex.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pymorphy3

#: Languages with a dictionary; words of other languages are matched as written.
INFLECTED = ("uk", "ru")
#: Ukrainian alternates these for sound, not meaning: "у Стамбулі" and "в Стамбулі" are one phrase.
_UK_ALTERNATES = (frozenset({"у", "в"}), frozenset({"і", "й"}), frozenset({"з", "із", "зі"}))
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "`": "'"})
#: What may stand before a plain word: a space, a group's opening, "|", or the end of a group or repeat.
_LETTER_RUN_BEFORE = frozenset(" (|:)?*+}")
_LETTER_RUN_AFTER = frozenset(" )|")


@lru_cache(maxsize=len(INFLECTED))
def _analyzer(language: str) -> pymorphy3.MorphAnalyzer:
    """One analyser per language and process (its dictionary takes a tenth of a second to open)."""
    return pymorphy3.MorphAnalyzer(lang=language)


def _plain(word: str) -> str:
    return word.translate(_APOSTROPHES).lower()


@lru_cache(maxsize=65536)
def _tag(plain: str, language: str) -> tuple[str | None, str | None]:
    """The part of speech and tense of the likeliest reading of a lower-cased word (the guards ask these of
    the few words around each match; news repeats its words, so the answers are kept)."""
    parses = _analyzer(language).parse(plain)
    return (parses[0].tag.POS, parses[0].tag.tense) if parses else (None, None)


@lru_cache(maxsize=8192)
def lemmas(word: str, language: str) -> frozenset[str]:
    """Every dictionary form ``word`` can be a form of (itself, lower-cased, when the language has no
    dictionary or the dictionary does not know the word)."""
    plain = _plain(word)
    if language not in INFLECTED:
        return frozenset({plain})
    known = [p.normal_form for p in _analyzer(language).parse(plain) if p.is_known]
    return frozenset(known) if known else frozenset({plain})


def lemma(word: str, language: str) -> str:
    """The most likely dictionary form of ``word`` ("домовилися" -> "домовитися")."""
    plain = _plain(word)
    if language not in INFLECTED:
        return plain
    parses = [p for p in _analyzer(language).parse(plain) if p.is_known]
    return parses[0].normal_form if parses else plain


@lru_cache(maxsize=8192)
def forms(word: str, language: str, *, any_tense: bool = False) -> frozenset[str]:
    """Every form of every word ``word`` can be a form of, ``word`` itself included (lower-case): of the same
    part of speech and, for a verb, the same tense; with ``any_tense``, every form of the lemma (a cue
    written as "відмовитися" finds "відмовився" and "відмовиться")."""
    plain = _plain(word)
    if language not in INFLECTED:
        return frozenset({plain})
    found = {plain}
    for parse in _analyzer(language).parse(plain):
        if parse.is_known:
            found.update(_plain(f.word) for f in parse.lexeme if any_tense or _same_kind(f.tag, parse.tag))
    if language == "ru":  # news copy writes "е" for "ё": "договоренность"
        found.update({f.replace("ё", "е") for f in found})
    if language == "uk":
        for alternates in _UK_ALTERNATES:
            if plain in alternates:
                found.update(alternates)
    return frozenset(found)


def _same_kind(form: Any, word: Any) -> bool:
    """A form counts when it is the same part of speech and, for a verb, in the same tense: "відбувся" (took
    place) must not find "відбудеться" (will take place); cases, numbers, genders and persons all count."""
    return bool(form.POS == word.POS and (word.POS != "VERB" or form.tense == word.tense))


def is_past_verb(word: str, language: str) -> bool:
    """Whether ``word`` is most likely a verb in the past tense ("домовилися", "договорились")."""
    if language not in INFLECTED:
        return False
    return _tag(_plain(word), language) == ("VERB", "past")


def expand_pattern(source: str, language: str) -> str:
    """``source`` with each plain Cyrillic word replaced by a group of all its forms (see the module doc)."""
    if language not in INFLECTED:
        return source
    out: list[str] = []
    index, in_class = 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            out.append(source[index:index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        if in_class or not _is_cyrillic(char):
            out.append(char)
            index += 1
            continue
        end = index
        while end < len(source) and (_is_cyrillic(source[end]) or source[end] in "'\u2019\u02bc"):
            end += 1
        word = source[index:end]
        out.append(_alternation(word, language) if _stands_alone(source, index, end) else word)
        index = end
    return "".join(out)


def expand_term(term: str) -> frozenset[str]:
    """A scope term and every form of it in Ukrainian or Russian (each word inflected on its own; a term
    of several words keeps the forms of its last word only, with the others as written)."""
    words = term.split()
    if not words or not any(_is_cyrillic(ch) for ch in words[-1]):
        return frozenset({term})
    head = " ".join(words[:-1])
    last = forms(words[-1], "uk") | forms(words[-1], "ru")
    return frozenset(f"{head} {form}".strip() for form in last)


def _is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def _stands_alone(source: str, start: int, end: int) -> bool:
    before_ok = start == 0 or source[start - 1] in _LETTER_RUN_BEFORE or source[start - 2:start] in ("\\s", "\\b")
    after_ok = end == len(source) or source[end] in _LETTER_RUN_AFTER or source[end:end + 2] in ("\\s", "\\b")
    return before_ok and after_ok


def _alternation(word: str, language: str) -> str:
    found = sorted(forms(word, language), key=lambda f: (-len(f), f))
    if len(found) == 1:
        return word
    return "(?:" + "|".join(f.replace("'", "['\u2019\u02bc]") for f in found) + ")"


def is_present_or_future_verb(word: str, language: str) -> bool:
    """Whether ``word`` is most likely a finite verb not in the past ("набуде", "вступит", "діє")."""
    if language not in INFLECTED:
        return False
    return _tag(_plain(word), language) in (("VERB", "pres"), ("VERB", "futr"))


def is_infinitive(word: str, language: str) -> bool:
    """Whether ``word`` is most likely an infinitive ("обмінятися", "обменяться")."""
    if language not in INFLECTED:
        return False
    return _tag(_plain(word), language)[0] == "INFN"


def is_future_verb(word: str, language: str) -> bool:
    """Whether ``word`` is most likely a verb in the future tense ("набуде", "вступит", "припиняться")."""
    if language not in INFLECTED:
        return False
    return _tag(_plain(word), language) == ("VERB", "futr")
