"""A rule set with English, Ukrainian and Russian patterns for the language tests (deliberately loose
patterns, so that only the guards stand between a sentence and a false finding)."""

from __future__ import annotations

from datetime import UTC, datetime

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText, SentenceReport
from service.rules.models import RuleSet

#: A Saturday, as in the English tests.
PUBLISHED = datetime(2025, 6, 7, 11, tzinfo=UTC)
RULES = RuleSet.model_validate({"items": {
    "ceasefire": {
        "title": "Ceasefire",
        "scope": [["Ukraine", "Україна", "Украина", "Київ", "Киев"], ["Russia", "Росія", "Россия", "Москва"]],
        "states": {"agreed": ["ceasefire was agreed"]},
        "languages": {
            "uk": {"states": {"agreed": ["сторони домовилися про перемир'я", "перемир'я"],
                              "in_effect": ["перемир'я набуло чинності"]}},
            "ru": {"states": {"agreed": ["стороны договорились о перемирии", "перемирие"],
                              "in_effect": ["перемирие вступило в силу"]}},
        },
    },
    "exchange-date": {
        "title": "Exchange date",
        "kind": "date",
        "set": ["exchange will take place {date}"],
        "languages": {
            "uk": {"set": ["обмін відбудеться {date}"], "unset": ["дату обміну не оголошено"]},
            "ru": {"set": ["обмен состоится {date}"], "unset": ["дата обмена не объявлена"]},
        },
    },
}})
#: Mentions both sides in each language, so that scope never decides unless a test wants it to.
CONTEXT = {"uk": " Україна та Росія підтвердили це.", "ru": " Украина и Россия подтвердили это.",
           "en": " Ukraine and Russia confirmed it."}


def explain(text: str, language: str, *, context: bool = True, rules: RuleSet = RULES) -> list[SentenceReport]:
    """Every sentence of ``text`` (in ``language``) as extraction judges it."""
    body = text + (CONTEXT[language] if context else "")
    return Extractor(rules).explain(EntryText("wire", "g", "", "", body, PUBLISHED, language))


def findings(text: str, language: str, **kwargs: object) -> set[tuple[str, str]]:
    """(item, value) of every accepted finding."""
    return {(f.item, f.value) for r in explain(text, language, **kwargs) for f in r.findings}  # type: ignore[arg-type]


def vetoes(text: str, language: str) -> set[tuple[str, str]]:
    """(guard, cue) of every veto."""
    return {(v.guard, v.cue) for r in explain(text, language) for v in r.vetoes}
