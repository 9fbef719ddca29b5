"""The words a rule author's pattern asks for: a cue written into the pattern is no cue against it.

"date has not (yet )?been announced" asks for "not" and "yet"; "ceasefire(?! talks)" does not ask for
"talks" (a lookaround refuses it). A word spelled with an optional or alternative letter or part is asked
for in each of its spellings: "in favou?r of" asks for "favour" and "favor", "agree[sd]?" for "agreed".
"""

from __future__ import annotations

import re
import warnings
from itertools import product
from re import _constants as sre  # type: ignore[attr-defined]  # no public API exposes the parse tree
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import regex

#: Spellings worked out per pattern at most; past this, only the plain words count (as before).
MAX_SPELLINGS = 512
#: A character set of at most this many letters ("[sd]") is read as a choice of letters.
MAX_SET_LETTERS = 6
_BREAK = "\x00"  # anything that is not a known letter: it ends a word


def pattern_words(source: str) -> frozenset[str]:
    """The lower-cased words a pattern asks for: its words outside lookarounds ("(?! talks)" refuses one),
    in every spelling its optional letters and alternatives allow."""
    # Letters of any script: "не" in "дату не оголошено" is asked for as much as "not" is.
    plain = frozenset(word.lower() for word in regex.findall(r"[^\W\d_']+(?:'[^\W\d_']+)*|'",
                                                         _without_lookarounds(source)) if word != "'")
    return plain | _spelled_words(source.replace("{date}", " "))


def _spelled_words(source: str) -> frozenset[str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = sre_parse.parse(source, re.IGNORECASE)
    except Exception:  # syntax only the regex module knows: the plain words are all there is
        return frozenset()
    spellings = _spellings(list(parsed))
    if spellings is None:
        return frozenset()
    return frozenset(word.lower() for text in spellings for word in regex.findall(r"[^\W\d_']+", text))


def _spellings(items: list[tuple[Any, Any]]) -> set[str] | None:
    """Every text a sequence of parsed items can spell, with unknown parts as breaks (None: too many)."""
    texts = {""}
    for op, value in items:
        options = _options(op, value)
        if options is None:
            return None
        texts = {a + b for a, b in product(texts, options)}
        if len(texts) > MAX_SPELLINGS:
            return None
    return texts


def _options(op: Any, value: Any) -> set[str] | None:
    if op == sre.LITERAL:
        return {chr(value)}
    if op == sre.IN:
        letters = [chr(v) for kind, v in value if kind == sre.LITERAL]
        if len(letters) == len(value) and len(letters) <= MAX_SET_LETTERS:
            return set(letters)
        return {_BREAK}
    if op == sre.SUBPATTERN:
        return _spellings(list(value[-1]))
    if op == sre.BRANCH:
        found: set[str] = set()
        for branch in value[1]:
            spelled = _spellings(list(branch))
            if spelled is None:
                return None
            found |= spelled
        return found
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and value[1] == 1:
        inner = _spellings(list(value[2]))
        return None if inner is None else {""} | inner
    if op == sre.AT:
        return {""}
    return {_BREAK}  # lookarounds, repeats, classes, "any": no word of the author's


def _without_lookarounds(source: str) -> str:
    kept: list[str] = []
    index, depth_of_lookaround, depth = 0, 0, 0
    while index < len(source):
        if source[index] == "\\":
            if not depth_of_lookaround:
                kept.append(source[index:index + 2])
            index += 2
            continue
        if source[index] == "(":
            depth += 1
            if not depth_of_lookaround and regex.match(r"\(\?<?[=!]", source[index:]):
                depth_of_lookaround = depth
        elif source[index] == ")":
            if depth == depth_of_lookaround:
                depth_of_lookaround = 0
                depth -= 1
                index += 1
                continue
            depth -= 1
        if not depth_of_lookaround:
            kept.append(source[index])
        index += 1
    return "".join(kept)
