"""Splitting text into sentences: each sentence is judged on its own.

Rule-based: a sentence ends at ".", "!" or "?" (with any closing quotes or brackets) followed by
white space and a likely sentence start (a capital, a digit, an opening quote). A full stop does not
end a sentence after a title or other abbreviation ("Mr.", "Gen.", "Jan."), an initial ("J. Smith"),
or inside a number ("3.5"). Abbreviations that often close a sentence ("U.S.", "a.m.", "Inc.") end
one when the next word is one that usually opens a sentence ("The", "He", "But").

Ukrainian is split by ``tokenize-uk`` and Russian by ``razdel`` (rule-based, no model to download): they
keep "бл. 1 млн", "т. н.", "2022 р." and "ок. 1 млн чел." inside their sentence.
"""

from __future__ import annotations

import re

# Abbreviations that never end a sentence (lower-cased, without the final stop).
_TITLES = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt", "adm", "gov", "sen", "rep",
    "st", "jr", "sr", "vs", "etc", "approx", "est", "dept", "fig", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "rev", "hon", "pres", "amb", "cmdr", "brig", "cpl",
    "pvt", "messrs", "mssrs", "mme", "mlle", "cie", "nos", "vol", "supt", "insp",
})
# Abbreviations that may end a sentence: they do when an ordinary sentence opener follows.
_MAY_END = frozenset({
    "u.s", "u.n", "u.k", "e.u", "a.m", "p.m", "inc", "ltd", "co", "corp", "i.e", "e.g", "al",
    # US states as news agencies abbreviate them ("Amherst, Mass."), and companies ("Bros.", "Cos.").
    "mass", "calif", "conn", "ariz", "fla", "ga", "mich", "minn", "penn", "tenn", "tex", "va", "wash", "wis",
    "colo", "ill", "ind", "kan", "ky", "la", "md", "mo", "neb", "nev", "okla", "ore", "pa", "bros", "cos",
})
_OPENERS = frozenset({
    "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those", "there",
    "his", "her", "its", "their", "our", "but", "and", "yet", "so", "in", "on", "at", "after", "before",
    "when", "while", "however", "meanwhile", "officials", "both",
})
# A candidate boundary: ., ! or ? (with closing quotes or brackets), then space, then a likely start.
_BOUNDARY = re.compile(r"""([.!?]+["')\]]*)\s+(?=["'(\[]?[A-Z0-9])""")
_MAYBE_BOUNDARY = re.compile(r"[.!?\u2026]\S*\s+\S")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_NEXT_WORD = re.compile(r"""["'(\[]?([A-Za-z]+)""")


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of ``text`` (normalised, one paragraph per line), in order, without empty ones."""
    if language == "uk":
        found = [s for paragraph in text.split("\n") for s in _ukrainian(paragraph)]
    elif language == "ru":
        import razdel  # on first Russian text: the splitters were ~90 ms of every command's start-up

        found = [s.text for paragraph in text.split("\n") for s in razdel.sentenize(paragraph)]
    else:
        found = _english(text)
    return [s.strip() for s in found if any(ch.isalnum() for ch in s)]


def _ukrainian(paragraph: str) -> list[str]:
    # tokenize-uk prepares its rules on every call: a paragraph with no possible boundary (a title) skips it.
    if not _MAYBE_BOUNDARY.search(paragraph):
        return [paragraph]
    import tokenize_uk  # on first Ukrainian text, as razdel for Russian

    return list(tokenize_uk.tokenize_sents(paragraph))


def _english(text: str) -> list[str]:
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            if match.group(1) == "." and _continues(paragraph[start:match.start()], paragraph[match.end():]):
                continue
            sentences.append(paragraph[start:match.end(1)].strip())
            start = match.end()
        rest = paragraph[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


def _continues(before: str, after: str) -> bool:
    """True when the full stop at the end of ``before`` belongs to an abbreviation inside a sentence."""
    found = _LAST_WORD.search(before)
    if not found:
        return False
    word = found.group(1)
    bare = word.lower().rstrip(".")
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith"
    if bare == "no":
        return after[:1].isdigit()  # "No. 5", but "The answer was no. Talks ..."
    if bare in _TITLES:
        return True
    if bare in _MAY_END or "." in bare:
        following = _NEXT_WORD.match(after)
        return not (following and following.group(1).lower() in _OPENERS)
    return False
