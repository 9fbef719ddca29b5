"""The fold keyword selection uses never tells apart letters a case-insensitive pattern treats as one."""

from __future__ import annotations

import sys

import regex
from hypothesis import given
from hypothesis import strategies as st

from service.extraction.folding import fold
from service.rules.patterns import compile_pattern


def _cased_letters() -> list[str]:
    return [
        chr(i)
        for i in range(sys.maxunicode + 1)
        if not 0xD800 <= i <= 0xDFFF
        and (chr(i).lower() != chr(i) or chr(i).upper() != chr(i) or chr(i).casefold() != chr(i))
    ]


def test_every_pair_of_letters_a_pattern_matches_case_insensitively_folds_alike() -> None:
    letters = _cased_letters()
    everything = "".join(letters)
    flags = compile_pattern("x", date=False).regex.flags  # the flags evidence patterns are compiled with
    differing = [
        (letter, match.group())
        for letter in letters
        for match in regex.finditer(regex.escape(letter), everything, flags)
        if fold(letter) != fold(match.group())
    ]
    assert differing == []


def test_turkish_capitals_fold_to_the_plain_letters() -> None:
    assert fold("TALKS IN TÜRKİYE") == "talks in türkiye"
    assert fold("İstanbul") == fold("istanbul") == fold("ISTANBUL") == "istanbul"
    assert fold("ıraq") == "iraq"


@given(st.lists(st.text(max_size=3), max_size=8))
def test_folding_a_text_is_folding_its_pieces(pieces: list[str]) -> None:
    # so a folded word is found in a folded text wherever the word occurs in it
    assert fold("".join(pieces)) == "".join(fold(piece) for piece in pieces)
