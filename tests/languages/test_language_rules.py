"""Rule files in three languages: patterns under ``languages: {uk: ..., ru: ...}``, cue additions under
``cues: {uk: ..., ru: ...}``, a source's ``language:``; each mistake reported at its file:line."""

from __future__ import annotations

from service.extraction.extractor import Extractor
from service.extraction.types import EntryText
from tests.languages.rules_fixture import PUBLISHED
from tests.rules.conftest import RuleDir


def test_mistakes_in_language_blocks_are_reported_where_they_are(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "langs.yaml",
        """\
        sources:
          kyiv: {url: 'https://kyiv.example/feed.xml', language: ua}
        items:
          ceasefire:
            title: Ceasefire
            states:
              agreed: [ceasefire was agreed]
            languages:
              uk:
                states:
                  agreed: ['домовилися про (перемир''я']
                set: ['на {date}']
          truce:
            title: Truce
            languages:
              de: {states: {agreed: [Waffenruhe]}}
          exchange-date:
            title: Exchange
            kind: date
            set: ['exchange on {date}']
            languages:
              ru:
                set: ['обмен состоится']
                states: {agreed: [обмен]}
        """,
    )
    assert rule_dir.errors() == [
        "langs.yaml:2:58: 'language': should be 'en', 'uk' or 'ru'",
        "langs.yaml:11:36: invalid regex: missing )",
        "langs.yaml:12:9: 'set' does not belong here: a status item's languages hold 'states'",
        "langs.yaml:16:7: 'de': the name should be 'uk' or 'ru'",
        "langs.yaml:23:16: a date 'set' pattern needs exactly one {date} placeholder",
        "langs.yaml:24:9: 'states' does not belong here: a date item's languages hold 'set' and 'unset'",
    ]


def test_a_state_may_be_named_only_in_another_language(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "uk.yaml",
        """\
        items:
          ceasefire:
            title: Перемир'я
            languages:
              uk:
                states: {agreed: ['сторони домовилися про перемир''я']}
        alerts:
          - name: agreed
            when: {item: ceasefire, to: agreed}
        """,
    )
    loaded = rule_dir.load()
    assert loaded.rules.items["ceasefire"].state_names() == ["none", "agreed"]


def test_cue_additions_count_in_their_own_language(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "cues.yaml",
        """\
        cues:
          negation: [called off]
          uk:
            hedge: [казати]
          ru:
            hedge: [по слухам]
        items:
          exchange:
            title: Exchange
            states: {held: [exchange was held]}
            languages:
              uk: {states: {held: [обмін відбувся]}}
              ru: {states: {held: [обмен состоялся]}}
        """,
    )
    extractor = Extractor(rule_dir.load().rules)

    def held(text: str, language: str) -> bool:
        return bool(extractor.extract(EntryText("w", "g", "", "", text, PUBLISHED, language)))

    # "казати" (to say, as in "they say"), added by the rule file, found in another form of the word
    assert not held("Кажуть, обмін відбувся.", "uk")
    assert not held("Обмін не відбувся.", "uk")  # the built-in list still counts
    assert held("Обмін відбувся.", "uk")
    assert not held("По слухам, обмен состоялся.", "ru")
    assert held("Обмен состоялся.", "ru")
    assert held("The exchange was held.", "en")
