"""Words patterns: the predicate's words in order, within one clause, gaps allowed, any form of each word.

``words: vote ... offer ... {date}`` finds "will vote on the revised offer on 14 March" and "voted on the
offer on Monday", whatever the subject before "vote" (which is where regexes anchored on a subject break).
The syntax, one string (a YAML list of parts is the same parts joined by ``...``):

- ``...`` (or ``…``) between parts: up to ``GAP_WORDS`` (8) words may come between them, in the same clause (a
  gap never crosses ``;``, ``:``, ``?``, a quote, " - ", "but", "however", "although", "while", ", and" …);
  gaps are as short as they can be;
- words within a part are adjacent: ``take place``;
- ``a|b`` one of these words; ``(take place|be held|begin)`` one of these phrases; ``[now]`` or
  ``[deal|agreement]`` an optional word or phrase;
- each word matches any of its forms (``vote`` finds votes, voted, voting; ``take place`` finds "took
  place"); in double quotes a word matches only as written: ``"held"``;
- ``!talks|negotiations`` the next word is none of these (nor any of their forms): ``ceasefire !talks``;
  ``!(of fire|of views)`` what follows is none of these phrases;
- ``{date}`` (date items' ``set`` patterns, exactly once) the words that name the day.

Matching is case-insensitive and on whole words, as for regex patterns. A words pattern compiles to a regex
(so the prefilter, time limits, guards and ``explain`` treat it as any other); ``forms`` gives each
word's forms (extraction passes the lemma dictionary's; ``vigil check`` checks syntax with the word alone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import regex

#: A pattern string starting with this is a words pattern (the YAML mapping ``{words: ...}`` becomes one).
PREFIX = "words: "
#: How many words a ``...`` gap may hold (a side remark counts as one).
GAP_WORDS = 8
DATE_SLOT = "{date}"
#: One word of a gap: not a conjunction that starts another clause, nor a relative pronoun that starts a
#: side remark ("the truce, which took effect on Friday, collapsed" took effect, as a side remark).
_GAP_WORD = (r"(?:,?\s(?!(?:but|however|although|though|whereas|while|which|who|whom|whose)\b"
             r"|(?<=,\s)(?:and|so|yet)\b)\w[\w'’-]*(?:[.,]\d+)*)")
#: A side remark, skipped whole: ", which took effect on Friday," "(in Istanbul)" " - as agreed - ".
_SIDE_REMARK = r"""(?:,\s(?:which|who|whom|whose|where)\b[^,;:"]{1,80},|\s\([^()]{1,80}\)|\s-\s[^-]{1,80}\s-)"""
_GAP = rf"(?:(?:{_SIDE_REMARK}|{_GAP_WORD}){{0,{GAP_WORDS}}}?,?\s)"
_WORD_CHARS = regex.compile(r"[\w'’-]+")
_TOKEN = regex.compile(r'"[^"]*"|\{date\}|[^\s()\[\]|"!]+|[()\[\]|!]|"')

Forms = Callable[[str], frozenset[str]]


class WordsError(ValueError):
    """A words pattern that cannot be read; ``offset`` is the 0-based position of the problem in it."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True)
class WordsRegex:
    """A words pattern as regex text: the whole, and (date patterns) what comes before ``{date}``,
    ``{date}``'s group and what comes after it, so that extraction can give the day the longest span."""

    body: str
    before_date: str | None
    after_date: str | None
    spelled: frozenset[str]  # every form of every word the pattern asks for (never held against it)


def is_words_pattern(source: str) -> bool:
    """Whether a pattern string is a words pattern (``words: ...``) rather than a regex."""
    return source.startswith(PREFIX)


def words_source(value: object) -> object:
    """A rule file's ``{words: "a ... b"}`` or ``{words: [a, b]}`` as the pattern string ``words: a ... b``;
    anything else unchanged (for validation to judge)."""
    if not isinstance(value, dict):
        return value
    if set(value) != {"words"}:
        others = ", ".join(f"'{key}'" for key in value if key != "words")
        raise ValueError(f"a pattern is a regex (text) or a mapping with the one key 'words' (not {others})"
                         if others else "a pattern mapping needs 'words'")
    words = value["words"]
    if isinstance(words, list) and words and all(isinstance(part, str) for part in words):
        return PREFIX + " ... ".join(part.strip() for part in words)
    if isinstance(words, str):
        return PREFIX + words.strip()
    raise ValueError("'words' takes text ('vote ... offer ... {date}') or a list of words and phrases")


def translate(source: str, *, forms: Forms, date_slot: str) -> WordsRegex:
    """The regex of the words pattern ``source`` (with its ``words: `` prefix). ``date_slot`` is the regex
    ``{date}`` stands for; ``forms`` gives a word's forms. Raises WordsError at the offending offset."""
    text = source[len(PREFIX):] if is_words_pattern(source) else source
    base = len(source) - len(text)
    parts = _parts(text)
    if not parts or all(not part for part, _ in parts):
        raise WordsError("a words pattern needs at least one word", base)
    spelled: set[str] = set()
    pieces: list[str] = []
    for number, (part, start) in enumerate(parts):
        if not part.strip():
            raise WordsError("nothing between two '...' gaps (or at an end): write a word there", base + start)
        pieces.append(_part(part, base + start, forms, spelled, date_slot))
        if number < len(parts) - 1:
            pieces.append(_GAP)
    body = "".join(pieces)
    before = after = None
    if date_slot in body:
        before, after = body.split(date_slot, 1)
    return WordsRegex(body, before, after, frozenset(spelled))


def _parts(text: str) -> list[tuple[str, int]]:
    """The parts between ``...`` gaps, stripped, each with the offset of its first character."""
    parts: list[tuple[str, int]] = []
    start = 0
    for gap in regex.finditer(r"\.\.\.|…", text):
        parts.append((text[start:gap.start()], start))
        start = gap.end()
    parts.append((text[start:], start))
    return [(part.strip(), at + len(part) - len(part.lstrip())) for part, at in parts]


def _part(part: str, offset: int, forms: Forms, spelled: set[str], date_slot: str) -> str:
    """The regex of one part: its words adjacent, optional ones with their space inside the option."""
    tokens = [(m.group(0), offset + m.start()) for m in _TOKEN.finditer(part)]
    out = ""
    ends_with_word = False  # whether ``out`` ends with a required word (the next one needs a space first)

    def add(piece: str, optional: bool) -> None:
        nonlocal out, ends_with_word
        if optional:
            out += f"(?: {piece})?" if ends_with_word else f"(?:{piece} )?"
            return
        out += f" {piece}" if ends_with_word else piece
        ends_with_word = True

    index = 0
    while index < len(tokens):
        token, at = tokens[index]
        if token in ("(", "["):
            close = ")" if token == "(" else "]"
            end = next((i for i in range(index + 1, len(tokens)) if tokens[i][0] in (close, "(", "[")), None)
            if end is None or tokens[end][0] != close:
                raise WordsError(f"'{token}' is not closed by '{close}'", at)
            add("(?:" + "|".join(_choices(tokens[index + 1:end], at, forms, spelled)) + ")", token == "[")
            index = end + 1
        elif token in (")", "]", "|"):
            raise WordsError(f"unexpected '{token}'", at)
        elif token == "!":
            following = tokens[index + 1][0] if index + 1 < len(tokens) else ""
            if not ends_with_word or not (_is_word_token(following) or following == "("):
                raise WordsError("'!' follows a word and names what must not come next: "
                                 "ceasefire !talks|negotiations, exchange !(of fire|of views)", at)
            if following == "(":
                end = next((i for i in range(index + 2, len(tokens)) if tokens[i][0] in (")", "(", "[")), None)
                if end is None or tokens[end][0] != ")":
                    raise WordsError("'(' is not closed by ')'", tokens[index + 1][1])
                excluded = "|".join(_choices(tokens[index + 2:end], tokens[index + 1][1], forms, set()))
                index = end + 1
            else:
                words, index = _word_choice(tokens, index + 1)
                excluded = _alternatives(words, forms, set())
            out += f"(?! (?:{excluded})(?!\\w))"
        elif token == '"':
            raise WordsError("a quote is not closed", at)
        elif token == DATE_SLOT:
            add(date_slot, False)
            index += 1
        else:
            words, index = _word_choice(tokens, index)
            add(_alternatives(words, forms, spelled), False)
    if not ends_with_word:
        raise WordsError("a part needs at least one word that is not optional", offset)
    return out


def _choices(tokens: list[tuple[str, int]], at: int, forms: Forms, spelled: set[str]) -> list[str]:
    """The phrases of ``(a b|c)`` or ``[a b|c]``, as regexes."""
    phrases: list[list[tuple[str, int]]] = [[]]
    for token, where in tokens:
        if token == "|":
            phrases.append([])
        elif _is_word_token(token):
            phrases[-1].append((token, where))
        else:
            raise WordsError(f"'{token}' cannot stand inside a choice of phrases", where)
    if any(not phrase for phrase in phrases):
        raise WordsError("a choice of phrases holds an empty phrase", at)
    return [" ".join(_alternatives([(word, where)], forms, spelled) for word, where in phrase) for phrase in phrases]


def _is_word_token(token: str) -> bool:
    return token not in ("(", ")", "[", "]", "|", "!", DATE_SLOT, '"')


def _alternatives(words: list[tuple[str, int]], forms: Forms, spelled: set[str]) -> str:
    """``a|b|"c"`` (each word with its offset): any form of a or b, or c as written."""
    found: list[str] = []
    for alternative, position in words:
        exact = len(alternative) >= 2 and alternative[0] == alternative[-1] == '"'
        word = alternative[1:-1] if exact else alternative
        bad = _first_bad(word)
        if bad is not None or not word:
            raise WordsError(
                f"{word[bad]!r} is not part of a word: a words pattern takes words, '...', '|', '( )', '[ ]', "
                "'!', quotes and {date} (write a regex pattern for anything else)" if bad is not None
                else "an empty word", position + (1 if exact else 0) + (bad or 0))
        variants = {word.lower()} if exact else (forms(word) | {word.lower()})
        for variant in variants:
            spelled.update(w.lower() for w in _WORD_CHARS.findall(variant))
        found.extend(sorted(variants, key=lambda v: (-len(v), v)))
    unique = list(dict.fromkeys(found))
    escaped = [regex.escape(word, special_only=True, literal_spaces=True).replace("'", "['’]") for word in unique]
    return escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"


def _word_choice(tokens: list[tuple[str, int]], index: int) -> tuple[list[tuple[str, int]], int]:
    """The words ``a|b|c`` starting at ``tokens[index]``, and the index after them."""
    words = [tokens[index]]
    index += 1
    while index + 1 < len(tokens) and tokens[index][0] == "|" and _is_word_token(tokens[index + 1][0]):
        words.append(tokens[index + 1])
        index += 2
    return words, index


def _first_bad(word: str) -> int | None:
    for index, char in enumerate(word):
        if not (char.isalnum() or char in "'’-" or (char == " " and 0 < index < len(word) - 1)):
            return index
    return None
