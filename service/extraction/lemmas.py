"""Word forms: the dictionary form (lemma) of a word, and every form that shares it.

A words pattern (``words: vote ... offer``) matches "votes", "voted" and "voting" for "vote": each of its
words is expanded, once, when the rules are compiled, into every form the lemma dictionary knows for the
word's lemma, so reading a sentence costs no lemmatisation at all. The dictionaries are ``simplemma``'s
(shipped in its wheel, for English, Ukrainian, Russian and about fifty other languages; nothing is
downloaded). A word the dictionary does not know (a new name) matches only as written.
"""

from __future__ import annotations

from functools import lru_cache


def lemma(word: str, language: str = "en") -> str:
    """The dictionary form of ``word``, lower-cased ("voted" -> "vote", "took" -> "take", "talks" -> "talk")."""
    # Imported here, not at the top: most commands never read a words pattern, and simplemma's import was
    # ~90 ms of every `vigil` command's start-up.
    import simplemma

    return str(simplemma.lemmatize(word.lower(), lang=language)).lower()


@lru_cache(maxsize=4096)
def forms(word: str, language: str = "en") -> frozenset[str]:
    """Every form of ``word``'s lemma the dictionary knows, ``word`` itself included, lower-cased:
    "vote" -> vote, votes, voted, voting; "hold" -> hold, holds, held, holding."""
    plain = word.lower()
    base = lemma(plain, language)
    found = {plain, base}
    for key in dict.fromkeys((base, plain)):
        found.update(_forms_of(key, language))
    return frozenset(found)


def _forms_of(base: str, language: str) -> set[str]:
    index = _forms_by_lemma(language)
    found: set[str] = set()
    for key in (base, base.capitalize()):  # some dictionaries write a lemma capitalised
        for form in index.get(key.encode(), ()):
            found.add(form.decode().lower())
    return found


@lru_cache(maxsize=8)
def _forms_by_lemma(language: str) -> dict[bytes, tuple[bytes, ...]]:
    """The language's dictionary turned around: lemma -> its forms (built once per process, ~0.3 s)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory  # on first use, as in lemma()

    dictionary = DefaultDictionaryFactory().get_dictionary(language)
    # The bytes mapping underneath is read directly when there is one: decoding 180,000 entries through
    # the public mapping takes a second; this takes a tenth of one.
    raw = getattr(dictionary, "_dict", None)
    entries = raw.items() if isinstance(raw, dict) else (
        (form.encode(), base.encode()) for form, base in dictionary.items())
    grouped: dict[bytes, list[bytes]] = {}
    for form, base in entries:
        grouped.setdefault(base, []).append(form)
    return {base: tuple(found) for base, found in grouped.items()}
