"""Sentences split per language: abbreviations common in Ukrainian and Russian news stay inside their
sentence, and English keeps its own splitter. Own sentences."""

from __future__ import annotations

from service.extraction.sentences import split_sentences
from tests.languages.rules_fixture import findings


def test_ukrainian_abbreviations_stay_inside_their_sentence() -> None:
    text = ("За рік загинуло бл. 1 млн осіб у 2022 р. через війну. Так званий т. н. договір не підписали. "
            "Обмін відбудеться завтра.")
    assert split_sentences(text, "uk") == [
        "За рік загинуло бл. 1 млн осіб у 2022 р. через війну.",
        "Так званий т. н. договір не підписали.",
        "Обмін відбудеться завтра.",
    ]


def test_russian_abbreviations_stay_inside_their_sentence() -> None:
    text = "Погибло ок. 1 млн чел. за год. Это т. н. договор. Обмен состоится завтра."
    assert split_sentences(text, "ru") == ["Погибло ок. 1 млн чел. за год.", "Это т. н. договор.",
                                           "Обмен состоится завтра."]


def test_a_denial_in_the_next_sentence_does_not_reach_back() -> None:
    # Split wrongly, "не" of the second sentence would sit next to the first one's predicate.
    assert ("ceasefire", "agreed") in findings("Сторони домовилися про перемир'я. Не всі цьому раді.", "uk")
    assert ("ceasefire", "agreed") in findings("Стороны договорились о перемирии. Не все этому рады.", "ru")


def test_english_keeps_its_splitter() -> None:
    assert split_sentences("Mr. Smith arrived. The talks began.", "en") == ["Mr. Smith arrived.", "The talks began."]
