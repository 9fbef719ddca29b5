"""Word forms, the small module patterns, scope and cues share (and a future words: pattern form can reuse):
lemmas, forms, and which words of a pattern are expanded."""

from __future__ import annotations

import regex

from service.extraction.word_forms import expand_pattern, forms, lemma, lemmas


def test_lemma_is_the_dictionary_form() -> None:
    assert lemma("домовилися", "uk") == "домовитися"
    assert lemma("Домовились", "uk") == "домовитися"
    assert lemma("договорились", "ru") == "договориться"
    assert lemma("України", "uk") == "україна"
    assert lemma("talks", "en") == "talks"  # English is matched as written
    assert "мир" in lemmas("миру", "ru")


def test_forms_keep_part_of_speech_and_tense_unless_asked() -> None:
    assert {"домовився", "домовилась", "домовилися"} <= forms("домовилися", "uk")
    assert "домовиться" not in forms("домовилися", "uk")
    assert "домовиться" in forms("домовилися", "uk", any_tense=True)
    assert {"в", "у"} <= forms("у", "uk")


def _matches(pattern: str, text: str, language: str) -> bool:
    return regex.search(rf"(?<!\w)(?:{expand_pattern(pattern, language)})(?!\w)", text, regex.I) is not None


def test_plain_words_are_expanded_and_words_with_regex_attached_are_taken_as_written() -> None:
    assert _matches("обмін полоненими", "обміну полоненими", "uk")
    assert _matches("(було )?затвердили", "затвердила", "uk")
    assert not _matches(r"обмін\w*", "обмену", "uk")  # a class attached: as written (and \w* finds обміну)
    assert _matches(r"обмін\w*", "обміну", "uk")
    assert not _matches("обміну?", "обміном", "uk")  # a quantifier on its last letter: as written
    assert not _matches("[оa]бмін", "обміну", "uk")
    assert expand_pattern("exchange (was|has been) agreed", "en") == "exchange (was|has been) agreed"
