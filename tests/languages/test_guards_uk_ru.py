"""The English guards' promises, in Ukrainian and Russian: a denial, a hedge, a proposal, a condition or a
question is no statement of fact; a plain statement is one, in any of its words' forms. Own sentences."""

from __future__ import annotations

import pytest

from service.rules.models import RuleSet
from tests.languages.rules_fixture import findings, vetoes

AGREED = {("ceasefire", "agreed")}


@pytest.mark.parametrize(("language", "text"), [
    # the plain statement, and inflected forms of the pattern's words
    ("uk", "Сторони домовилися про перемир'я."),
    ("uk", "Сторона домовилась про перемир'я після довгої ночі."),
    ("uk", "Сторони нарешті домовились про перемирʼя."),  # the other apostrophe
    ("ru", "Стороны договорились о перемирии."),
    ("ru", "Сторона договорилась о перемирии после долгой ночи."),
])
def test_a_statement_in_any_form_of_its_words_is_a_finding(language: str, text: str) -> None:
    assert findings(text, language) == AGREED


@pytest.mark.parametrize(("language", "text", "guard", "cue"), [
    # negation
    ("uk", "Сторони так і не домовилися про перемир'я.", "negation", "так і не"),
    ("uk", "Делегації роз'їхалися без перемир'я.", "negation", "без"),
    ("uk", "Москва відмовилася від перемир'я.", "negation", "відмовилася"),
    ("uk", "Київ заперечив, що сторони домовилися про перемир'я.", "negation", "заперечив"),
    ("ru", "Стороны так и не договорились о перемирии.", "negation", "так и не"),
    ("ru", "Делегации разъехались без перемирия.", "negation", "без"),
    ("ru", "Москва отказалась от перемирия.", "negation", "отказалась"),
    ("ru", "Киев опроверг, что стороны договорились о перемирии.", "negation", "опроверг"),
    # hedges and proposals
    ("uk", "Сторони можуть домовитися про перемир'я найближчими днями.", "hedge", "можуть"),
    ("uk", "Сторони нібито домовилися про перемир'я.", "hedge", "нібито"),
    ("uk", "Київ запропонував перемир'я на тридцять днів.", "hedge", "запропонував"),
    ("uk", "Президент закликав до перемир'я.", "hedge", "закликав"),
    ("uk", "Ймовірно, сторони домовилися про перемир'я.", "hedge", "ймовірно"),
    ("uk", "Москва планує перемир'я на свята.", "hedge", "планує"),
    ("ru", "Стороны могут договориться о перемирии в ближайшие дни.", "hedge", "могут"),
    ("ru", "Стороны якобы договорились о перемирии.", "hedge", "якобы"),
    ("ru", "Киев предложил перемирие на тридцать дней.", "hedge", "предложил"),
    ("ru", "Президент призвал к перемирию.", "hedge", "призвал"),
    ("ru", "Вероятно, стороны договорились о перемирии.", "hedge", "вероятно"),
    ("ru", "Москва планирует перемирие на праздники.", "hedge", "планирует"),
    # conditions
    ("uk", "Перемир'я оголосять, якщо Москва погодиться.", "hedge", "якщо"),
    ("uk", "Якщо Москва погодиться, сторони домовилися про перемир'я.", "hedge", "якщо"),
    ("ru", "Перемирие объявят, если Москва согласится.", "hedge", "если"),
    ("ru", "Если Москва согласится, стороны договорились о перемирии.", "hedge", "если"),
    # questions
    ("uk", "Чи домовилися сторони про перемир'я?", "hedge", "?"),
    ("ru", "Договорились ли стороны о перемирии?", "hedge", "?"),
])
def test_a_denial_a_hedge_a_proposal_a_condition_or_a_question_is_no_fact(
    language: str, text: str, guard: str, cue: str,
) -> None:
    assert findings(text, language) == set()
    assert (guard, cue) in vetoes(text, language)


@pytest.mark.parametrize(("language", "text"), [
    # pseudo-negations: "не тільки" / "не только", "незважаючи на" / "несмотря на"
    ("uk", "Сторони не тільки домовилися про перемир'я, а й обмінялися полоненими."),
    ("uk", "Незважаючи на обстріли, сторони домовилися про перемир'я."),
    ("ru", "Стороны не только договорились о перемирии, но и обменялись пленными."),
    ("ru", "Несмотря на обстрелы, стороны договорились о перемирии."),
    # clause boundaries: the negation belongs to another clause
    ("uk", "Обмін полоненими не відбувся, але сторони домовилися про перемир'я."),
    ("ru", "Обмен пленными не состоялся, но стороны договорились о перемирии."),
    # a time clause in the past is a fact
    ("uk", "Коли сторони домовилися про перемир'я, обстріли стихли."),
    ("ru", "Когда стороны договорились о перемирии, обстрелы стихли."),
])
def test_what_only_looks_like_a_cue_does_not_veto(language: str, text: str) -> None:
    assert findings(text, language) >= AGREED


@pytest.mark.parametrize(("language", "text"), [
    ("uk", "Обстріли припиняться, коли перемир'я набуде чинності."),
    ("ru", "Обстрелы прекратятся, когда перемирие вступит в силу."),
])
def test_a_time_clause_about_the_future_is_a_condition(language: str, text: str) -> None:
    assert findings(text, language) == set()


@pytest.mark.parametrize(("language", "text"), [
    ("uk", "Перемир'я, про яке домовилися у 2022 році, зірвалося."),
    ("ru", "Перемирие, о котором договорились в 2022 году, сорвалось."),
])
def test_a_clause_dated_in_an_earlier_year_is_background(language: str, text: str) -> None:
    assert findings(text, language) == set()


def test_a_pattern_reads_entries_of_its_own_language_only() -> None:
    assert findings("Сторони домовилися про перемир'я.", "ru") == set()  # a Ukrainian pattern, a Russian entry
    assert findings("The ceasefire was agreed.", "uk") == set()
    assert findings("The ceasefire was agreed.", "en") == AGREED


@pytest.mark.parametrize(("language", "text"), [
    ("uk", "Ізраїль і ХАМАС домовилися про перемир'я в секторі Газа."),
    ("ru", "Израиль и ХАМАС договорились о перемирии в секторе Газа."),
])
def test_out_of_scope_in_any_language(language: str, text: str) -> None:
    assert findings(text, language, context=False) == set()


@pytest.mark.parametrize(("language", "text"), [
    ("uk", "Україною та Росією підписано документ. Сторони домовилися про перемир'я."),  # instrumental case
    ("uk", "Делегації України і Росії зустрілися. Сторони домовилися про перемир'я."),  # genitive
    ("ru", "Делегации Украины и России встретились. Стороны договорились о перемирии."),
    ("ru", "Между Украиной и Россией подписан документ. Стороны договорились о перемирии."),
])
def test_scope_terms_match_in_any_case(language: str, text: str) -> None:
    assert findings(text, language, context=False) == AGREED


@pytest.mark.parametrize(("language", "done", "ahead"), [
    ("uk", "Перемир'я набуло чинності.", "Перемир'я набуде чинності завтра."),
    ("ru", "Перемирие вступило в силу.", "Перемирие вступит в силу завтра."),
])
def test_a_verb_matches_in_its_own_tense_only(language: str, done: str, ahead: str) -> None:
    # "набуло" finds "набула" or "набули", never "набуде": took effect is news, will take effect is not yet.
    assert ("ceasefire", "in_effect") in findings(done, language)
    assert ("ceasefire", "in_effect") not in findings(ahead, language)


def test_every_ukrainian_apostrophe_is_one_apostrophe() -> None:
    for apostrophe in ("'", "\u2019", "\u02bc"):
        assert findings(f"Сторони домовилися про перемир{apostrophe}я.", "uk") == AGREED


@pytest.mark.parametrize(("language", "text", "cue"), [
    ("uk", "Невідомо, чи буде перемир'я.", "чи"),
    ("ru", "Неясно, будет ли перемирие.", "ли"),
])
def test_an_open_question_without_a_question_mark_is_no_fact(language: str, text: str, cue: str) -> None:
    assert findings(text, language) == set()
    assert ("hedge", cue) in vetoes(text, language)


def test_a_noun_in_a_pattern_matches_in_every_case() -> None:
    rules = RuleSet.model_validate({"items": {"deal": {
        "title": "Deal", "languages": {"uk": {"states": {"reached": ["досягли домовленість"]}},
                                       "ru": {"states": {"reached": ["достигли договоренность"]}}}}}})
    assert findings("Сторони досягли домовленості.", "uk", rules=rules) == {("deal", "reached")}  # genitive
    assert findings("Стороны достигли договорённости.", "ru", rules=rules) == {("deal", "reached")}  # ё, genitive
    assert findings("Стороны достигли договоренности.", "ru", rules=rules) == {("deal", "reached")}  # е for ё
