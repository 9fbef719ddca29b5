"""Background, not news: a clause dated before the year of publication ("a truce agreed in 2022 collapsed").

News stories retell history; a sentence about a ceasefire in 2022 must not move today's ceasefire.
"""

from __future__ import annotations

import regex

from service.extraction.verdicts import Verdict

# A year that dates the clause ("in 2022", "the 2015 truce"), but not "since 2022" (which says it is new).
ENGLISH_YEAR = regex.compile(r"(?<!\bsince\s)(?<!\bsince\sthe\s)\b(19\d\d|20\d\d)\b(?!\s*-)")
ENGLISH_EARLIER = regex.compile(r"\b(?:last year|years ago|in previous years|in the past)\b", regex.IGNORECASE)


def background(clause: str, published_year: int, years: regex.Pattern[str] = ENGLISH_YEAR,
               earlier_words: regex.Pattern[str] = ENGLISH_EARLIER) -> Verdict | None:
    """Why ``clause`` is history rather than news ("a truce agreed in 2022"), or None; ``years`` and
    ``earlier_words`` are the language's (English by default)."""
    for year in years.finditer(clause):
        if int(year.group(1)) < published_year:
            return Verdict("background", year.group(1),
                           f"'{year.group(1)}' dates it before the publication year: background, not news")
    earlier = earlier_words.search(clause)
    if earlier is not None:
        return Verdict("background", earlier.group(0).lower(),
                       f"'{earlier.group(0)}' makes it background, not news")
    return None
