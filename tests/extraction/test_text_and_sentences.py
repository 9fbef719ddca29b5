"""Feed HTML to plain text to sentences: what the extractor judges must be whole sentences, one at a time."""

from __future__ import annotations

import pytest

from service.extraction.sentences import split_sentences
from service.extraction.text import normalise, strip_html


def sentences(markup: str) -> list[str]:
    """The sentences extraction would judge for ``markup``."""
    return split_sentences(normalise(strip_html(markup)))


# --- HTML ----------------------------------------------------------------------------------------------

def test_markup_is_stripped_and_inline_tags_keep_the_sentence_whole() -> None:
    markup = '<p>Kyiv <a href="/x">said</a> the <em>swap</em> went <strong>ahead</strong>.</p>'
    assert sentences(markup) == ["Kyiv said the swap went ahead."]


def test_block_elements_end_sentences_even_without_a_full_stop() -> None:
    markup = "<h2>Swap under way</h2><ul><li>Kyiv confirmed</li><li>Moscow confirmed</li></ul>Line one<br>Line two"
    assert sentences(markup) == ["Swap under way", "Kyiv confirmed", "Moscow confirmed", "Line one", "Line two"]


def test_scripts_styles_and_comments_are_not_text() -> None:
    markup = ("<p>Officials met.</p><script>alert('ceasefire agreed')</script><style>.x{}</style>"
              "<!-- ceasefire agreed --><noscript>enable scripts</noscript>")
    assert sentences(markup) == ["Officials met."]


def test_entities_are_decoded_with_or_without_tags() -> None:
    assert strip_html("Kyiv &amp; Moscow &#8220;agreed&#8221;") == "Kyiv & Moscow \u201cagreed\u201d"
    assert sentences("<p>Kyiv&nbsp;&amp;&nbsp;Moscow agreed.</p>") == ["Kyiv & Moscow agreed."]


def test_a_lone_less_than_sign_is_text() -> None:
    assert sentences("<p>Fewer than 5 < 10 officials came.</p>") == ["Fewer than 5 < 10 officials came."]


# --- normalisation -------------------------------------------------------------------------------------

def test_curly_quotes_become_straight_quotes() -> None:
    assert normalise("\u201cIt\u2019s done,\u201d he said of the \u2018swap\u2019.") == (
        "\"It's done,\" he said of the 'swap'.")
    assert normalise("\u00abWe agreed\u00bb") == '"We agreed"'


def test_dashes_join_words_or_set_off_remarks() -> None:
    assert normalise("the Kyiv\u2013Moscow line, 12\u201313 June") == "the Kyiv-Moscow line, 12-13 June"
    assert normalise("the swap \u2014 the largest yet \u2014 ended") == "the swap - the largest yet - ended"


def test_odd_spaces_and_invisible_characters_are_made_plain() -> None:
    assert normalise("pris\u00adoners\u200b were\u00a0freed \u202f today\ufeff") == "prisoners were freed today"
    assert normalise("  one  \n\n  two\t three \n") == "one\ntwo three"


# --- sentences -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Umerov led the delegation. He spoke first.", ["Mr. Umerov led the delegation.", "He spoke first."]),
        ("Talks were attended by U.S. officials and Turkish hosts. They left at noon.",
         ["Talks were attended by U.S. officials and Turkish hosts.", "They left at noon."]),
        ("U.S. officials welcomed the swap. Moscow was silent.",
         ["U.S. officials welcomed the swap.", "Moscow was silent."]),
        ("He briefed the U.N. Security Council on Friday.", ["He briefed the U.N. Security Council on Friday."]),
        ("Help came from the U.S. The swap went ahead.", ["Help came from the U.S.", "The swap went ahead."]),
        ("Lt. Gen. Kyrylo Budanov and Dr. Smith of St. Petersburg met.",
         ["Lt. Gen. Kyrylo Budanov and Dr. Smith of St. Petersburg met."]),
        ("The swap began at 9 a.m. Monday, officials said.", ["The swap began at 9 a.m. Monday, officials said."]),
        ("The swap began at 9 a.m. The buses arrived later.",
         ["The swap began at 9 a.m.", "The buses arrived later."]),
        ("Vladimir V. Putin did not attend.", ["Vladimir V. Putin did not attend."]),
    ],
)
def test_abbreviations_and_initials(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Turnout was 62.5 percent. The count ended.", ["Turnout was 62.5 percent.", "The count ended."]),
        ("Prices rose 3.5%. Then they fell.", ["Prices rose 3.5%.", "Then they fell."]),
        ("Kyiv freed 1,200 people. Moscow freed 1.2 thousand.",
         ["Kyiv freed 1,200 people.", "Moscow freed 1.2 thousand."]),
        ("Item No. 4 was agreed. No. 5 was not.", ["Item No. 4 was agreed.", "No. 5 was not."]),
    ],
)
def test_numbers_do_not_end_a_sentence(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said: "We are ready." Moscow disagreed.', ['He said: "We are ready."', "Moscow disagreed."]),
        ('"Is the truce holding?" a reporter asked. Nobody answered.',
         ['"Is the truce holding?" a reporter asked.', "Nobody answered."]),
        ("Officials said the talks would go on. 'We will meet again,' one added.",
         ["Officials said the talks would go on.", "'We will meet again,' one added."]),
        ("The swap (the third this year.) Then the buses left.",
         ["The swap (the third this year.)", "Then the buses left."]),
        ("Is it over? No. The shelling goes on!", ["Is it over?", "No.", "The shelling goes on!"]),
        ("The swap happened... Kyiv confirmed it.", ["The swap happened...", "Kyiv confirmed it."]),
    ],
)
def test_quotes_brackets_and_other_endings_stay_with_their_sentence(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_paragraphs_never_run_into_each_other() -> None:
    assert sentences("<p>No deal was reached</p><p>Ukraine and Russia agreed to a swap</p>") == [
        "No deal was reached", "Ukraine and Russia agreed to a swap"]


def test_empty_and_punctuation_only_input_gives_no_sentences() -> None:
    assert sentences("") == []
    assert sentences("<p> </p><p>...</p><div>-</div>") == []
