"""From feed HTML to the sentences extraction judges one by one."""

from __future__ import annotations

from service.extraction.sentences import split_sentences
from service.extraction.text import normalise, strip_html


def sentences(markup: str) -> list[str]:
    return split_sentences(normalise(strip_html(markup)))


def test_tags_scripts_and_entities_are_stripped_and_paragraphs_end_sentences() -> None:
    markup = (
        "<p>Talks ended&nbsp;in Istanbul</p><script>var ceasefire = 'agreed';</script>"
        "<style>p{}</style><p>Kyiv &amp; Moscow <b>agreed</b> to a swap.</p>"
    )
    assert sentences(markup) == ["Talks ended in Istanbul", "Kyiv & Moscow agreed to a swap."]


def test_curly_quotes_dashes_and_odd_spaces_are_made_plain() -> None:
    text = normalise("\u201cWe agreed,\u201d he said \u2014 and left.\u00a0"
                     "It\u2019s the Ukraine\u2013Russia deal\u2026")
    assert text == "\"We agreed,\" he said - and left. It's the Ukraine-Russia deal..."


def test_abbreviations_initials_and_decimals_do_not_end_a_sentence() -> None:
    text = (
        "Mr. Umerov met Gen. Fomin at 10 a.m. on Jan. 5 in the U.S. embassy. The swap covered 1.5 thousand "
        "people, J. Smith said. No. 5 on the list was freed."
    )
    assert sentences(text) == [
        "Mr. Umerov met Gen. Fomin at 10 a.m. on Jan. 5 in the U.S. embassy.",
        "The swap covered 1.5 thousand people, J. Smith said.",
        "No. 5 on the list was freed.",
    ]


def test_an_abbreviation_that_closes_a_sentence_still_ends_it() -> None:
    assert sentences("The truce took effect at 6 a.m. The shelling stopped. Sanctions came from the U.S. But "
                     "talks went on.") == [
        "The truce took effect at 6 a.m.", "The shelling stopped.", "Sanctions came from the U.S.",
        "But talks went on."]


def test_quotes_and_questions_stay_with_their_sentence() -> None:
    text = '"Is there a ceasefire?" he asked. "There is no ceasefire," the spokesman said. Talks resume soon!'
    assert sentences(text) == [
        '"Is there a ceasefire?" he asked.', '"There is no ceasefire," the spokesman said.', "Talks resume soon!"]


def test_a_plain_no_at_the_end_of_a_sentence_ends_it() -> None:
    assert sentences("Asked about a truce, he said no. Russia then left.") == [
        "Asked about a truce, he said no.", "Russia then left."]
