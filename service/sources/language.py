"""Which language a feed entry is written in: English, Ukrainian or Russian.

Text with no Cyrillic letter is English (no detector is consulted, so English feeds cost nothing).
Otherwise ``lingua`` (its models ship inside the wheel; nothing is downloaded) chooses among the three
languages Vigil reads; it tells Ukrainian from Russian on a sentence or two. A source may state its
language instead (``language: uk`` in the rule file), which wins over detection.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import get_args

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from service.rules.models import LanguageCode

#: The languages Vigil reads, by ISO 639-1 code; English is the default.
LANGUAGES: tuple[LanguageCode, ...] = get_args(LanguageCode)
DEFAULT_LANGUAGE: LanguageCode = "en"
#: How much of an entry the detector reads: a paragraph decides, and long texts cost no more.
SAMPLE_CHARACTERS = 1000

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_TAG = re.compile(r"<[^>]*>")
_CODES: dict[Language, LanguageCode] = {Language.ENGLISH: "en", Language.UKRAINIAN: "uk", Language.RUSSIAN: "ru"}


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """One detector per process, for the three languages only (built on first use, then shared)."""
    return LanguageDetectorBuilder.from_languages(*_CODES).build()


def detect_language(title: str, text: str, declared: str | None = None) -> LanguageCode:
    """The language of an entry: ``declared`` (a source's ``language:``) when given, else detected."""
    if declared is not None:
        return _code(declared)
    sample = _TAG.sub(" ", f"{title}\n{text}")[:SAMPLE_CHARACTERS]
    if not _CYRILLIC.search(sample):
        return DEFAULT_LANGUAGE
    found = _detector().detect_language_of(sample)
    return _CODES.get(found, DEFAULT_LANGUAGE) if found is not None else DEFAULT_LANGUAGE


def _code(value: str) -> LanguageCode:
    for code in LANGUAGES:
        if code == value:
            return code
    raise ValueError(f"unknown language {value!r}: Vigil reads {', '.join(LANGUAGES)}")
