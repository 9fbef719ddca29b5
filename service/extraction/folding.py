"""Case folding for finding words in text: the fold keyword selection (prefilter, scope) and cue search share.

Patterns match case-insensitively with the ``regex`` module's simple case folding: "İ" matches "i",
"ı" matches "I", "ς" matches "σ". Selection looks for literal words in folded text, so the fold must
never tell apart two characters a pattern treats as the same, or selection would drop a match the
pattern makes. ``str.lower`` does: "İ".lower() is two characters ("i" and a combining dot), and "ς"
stays "ς". Full case folding with both Turkish i's read as "i" does not (tests/extraction/test_folding.py
checks every cased character). It works character by character, so a folded word is found in a
folded text wherever the word occurs in the text.
"""

from __future__ import annotations


def fold(text: str) -> str:
    """``text`` folded for caseless word search (not length-preserving: "ß" becomes "ss")."""
    if text.isascii():
        return text.lower()  # the common case, and the same answer as the full fold for ASCII
    # str.replace, not str.translate: translate is slow on non-ASCII text, and this runs on every sentence
    return text.replace("İ", "i").replace("ı", "i").casefold()


def fold_keeping_length(text: str) -> str:
    """``text`` folded character for character, so positions in it are positions in ``text``.

    What cue search needs (it cuts the original text at the positions it finds): each character takes
    its fold when that is one character, both Turkish i's become "i", and the few characters whose fold
    is longer ("ß" -> "ss") stay as they are.
    """
    if text.isascii():
        return text.lower()
    return "".join(_fold_one(ch) for ch in text)


def _fold_one(ch: str) -> str:
    if ch in "İı":
        return "i"
    folded = ch.casefold()
    return folded if len(folded) == 1 else ch
