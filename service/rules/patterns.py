"""Evidence patterns: how a rule author's pattern becomes a compiled, safe, whole-word regex.

Patterns are regular expressions matched case-insensitively against one normalised sentence, with
whole-word boundaries added at both ends. ``{date}`` (date items only) stands for the span of text
that holds the announced date; extraction parses that span relative to the entry's publication time.

Catastrophic backtracking is handled twice: a group repeated without bound that holds a repeat itself,
such as ``(a+)+`` or ``(\\d{1,2})*``, is refused when rules load, and every match at run time is
time-boxed (``MATCH_TIMEOUT``) by the ``regex`` module.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from service.rules.word_patterns import Forms, WordsError, is_words_pattern, translate

DATE_PLACEHOLDER = "{date}"
#: What ``{date}`` expands to: up to six words (digits, month names, weekdays, "next", ordinals, "10:00").
#: Extraction trims the span from the right until a date parses, so a generous span is safe.
#: An apostrophe between two Cyrillic letters belongs to the word ("п'ятницю").
DATE_GROUP = r"(?P<date>\w+(?:(?:[ ,./:-]+|(?<=[\u0400-\u04ff])'(?=[\u0400-\u04ff]))\w+){0,5})"
#: Seconds one pattern may spend on one sentence before extraction gives up on it (and says so).
MATCH_TIMEOUT = 0.05
#: Seconds a pattern may take on one of the probe texts ``probe_pattern`` tries it on.
PROBE_TIMEOUT = 0.05
#: Length of the probe texts: enough for a pattern that backtracks exponentially to take seconds.
PROBE_LENGTH = 48

_FLAGS = regex.IGNORECASE | regex.UNICODE | regex.V0
#: Stands in for ``{date}`` while the author's own text is syntax-checked: a group of the same length,
#: so regex error positions stay positions in the author's pattern.
_DATE_STAND_IN = "(?:xx)"
_LITERAL_START = regex.compile(r"[\w ]+(?![*+?{])")
_BOUNDED_REPEAT = regex.compile(r"\{(\d*)(,?)(\d*)\}")
_ESCAPES_WITH_BRACES = "pPNxug"


class PatternError(ValueError):
    """A pattern that cannot be used; ``column`` is the 1-based offset of the problem in the pattern."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.column = column


@dataclass(frozen=True)
class DateSplit:
    """A date pattern cut at its ``{date}``: what must come before the day, and the day with what follows.

    When the day a match captured names none (a free-word part before ``{date}`` took "on the new offer
    on" and left "14 March" short), extraction tries ``{date}`` at each earlier word of the match, so
    the slot gets the longest span that names a day.
    """

    before: regex.Pattern[str]
    rest: regex.Pattern[str]


@dataclass(frozen=True)
class CompiledPattern:
    """A rule author's pattern (``source``) and the regex it compiled to."""

    source: str
    regex: regex.Pattern[str]
    has_date: bool
    #: The words a words pattern spells, in every form (None for a regex: see extraction.pattern_words).
    spelled: frozenset[str] | None = None
    date_split: DateSplit | None = None
    #: ``$`` in the pattern: it is matched against the sentence without its closing full stop.
    anchored_end: bool = False


def compile_pattern(source: str, *, date: bool, forms: Forms | None = None) -> CompiledPattern:
    """Compile ``source`` for a status pattern (``date=False``) or a date ``set`` pattern (``date=True``).

    ``source`` is a regex, or a words pattern (``words: ...``, see ``word_patterns``) whose words match
    every form ``forms`` gives (default: each word as written). Raises PatternError naming the column of
    the problem: a syntax error, ``{date}`` where it is not allowed or missing where it is required, or a
    nested quantifier that could backtrack forever.
    """
    if not source.strip():
        raise PatternError("empty pattern")
    count = source.count(DATE_PLACEHOLDER)
    if date and count == 0:
        raise PatternError("a date 'set' pattern needs exactly one {date} placeholder")
    if date and count > 1:
        second = source.index(DATE_PLACEHOLDER, source.index(DATE_PLACEHOLDER) + 1)
        raise PatternError("a date 'set' pattern needs exactly one {date} placeholder", second + 1)
    if not date and count:
        raise PatternError(
            "{date} is only allowed in the 'set' patterns of a date item", source.index(DATE_PLACEHOLDER) + 1
        )
    if is_words_pattern(source):
        return _compile_words(source, date=date, forms=forms)
    # Checked alone first: inside the word-boundary wrapper, an author's "a)|(b" would compile and
    # silently escape the boundaries, and errors would be reported at the wrapper's columns.
    _check_syntax(source.replace(DATE_PLACEHOLDER, _DATE_STAND_IN) if date else source)
    nested = _nested_quantifier(source)
    if nested is not None:
        start, end = nested
        raise PatternError(
            f"nested quantifier {source[start:end]!r} can backtrack catastrophically; "
            "write it without repeating a repeated group",
            start + 1,
        )
    body = source.replace(DATE_PLACEHOLDER, DATE_GROUP) if date else source
    try:
        compiled = regex.compile(rf"(?<!\w)(?:{body})(?!\w)", _FLAGS)
    except regex.error as exc:  # e.g. a group of the author's named "date" next to the {date} group
        raise PatternError(f"invalid regex: {exc.msg}", 1) from None
    return CompiledPattern(source=source, regex=compiled, has_date=date,
                           date_split=_date_split(source) if date else None, anchored_end="$" in source)


def _compile_words(source: str, *, date: bool, forms: Forms | None) -> CompiledPattern:
    try:
        words = translate(source, forms=forms or _as_written, date_slot=DATE_GROUP)
    except WordsError as exc:
        raise PatternError(exc.message, exc.offset + 1) from None
    compiled = regex.compile(rf"(?<!\w)(?:{words.body})(?!\w)", _FLAGS)
    split = None
    if date and words.before_date is not None and words.after_date is not None:
        split = DateSplit(regex.compile(rf"(?<!\w)(?:{words.before_date})", _FLAGS),
                          regex.compile(rf"{DATE_GROUP}(?:{words.after_date})(?!\w)", _FLAGS))
    return CompiledPattern(source=source, regex=compiled, has_date=date, spelled=words.spelled, date_split=split)


def _as_written(word: str) -> frozenset[str]:
    return frozenset({word.lower()})


def _date_split(source: str) -> DateSplit | None:
    """The pattern cut at its ``{date}``, when ``{date}`` stands outside every group (else None)."""
    at = source.find(DATE_PLACEHOLDER)
    if at <= 0 or _depth_at(source, at) != 0:
        return None
    before, after = source[:at], source[at + len(DATE_PLACEHOLDER):]
    try:
        return DateSplit(regex.compile(rf"(?<!\w)(?:{before})", _FLAGS),
                         regex.compile(rf"{DATE_GROUP}(?:{after})(?!\w)", _FLAGS))
    except regex.error:
        return None


def _depth_at(source: str, at: int) -> int:
    """How many groups are open at offset ``at`` of a regex (escapes and character sets skipped)."""
    depth, index = 0, 0
    while index < at:
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _after_set(source, index) or at
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        index += 1
    return depth


def probe_pattern(pattern: CompiledPattern) -> PatternError | None:
    """Why ``pattern`` is too slow to use (a PatternError), or None.

    The nested-quantifier rule misses patterns that backtrack through alternatives or bounded repeats,
    such as ``(a|a)+$``, ``(a|aa)+b`` or ``(a{1,3}){1,40}x``. So the compiled pattern is also run, under
    ``PROBE_TIMEOUT``, on texts made to make such patterns backtrack: each letter, digit and space it
    names (and a few common ones), repeated ``PROBE_LENGTH`` times, then ended by a character that does
    not match. A pattern that runs out of time on one is refused, naming the column of its first
    repeated group.
    """
    for text in _probe_texts(pattern.source):
        try:
            pattern.regex.search(text, timeout=PROBE_TIMEOUT)
        except TimeoutError:
            try:  # once more with ten times the time: a busy machine must not refuse a good pattern
                pattern.regex.search(text, timeout=10 * PROBE_TIMEOUT)
                continue
            except TimeoutError:
                pass
            shown = text if len(text) < 20 else f"{text[:8]}…{text[-4:]}"
            return PatternError(
                f"pattern can backtrack catastrophically: it took longer than {PROBE_TIMEOUT}s on the "
                f"{len(text)}-character text {shown!r}; simplify the repeat here",
                _first_repeat(pattern.source) + 1,
            )
    return None


def _probe_texts(source: str) -> list[str]:
    letters = list(dict.fromkeys(char.lower() for char in source if char.isalnum() or char == " "))
    # The pattern's literal start ("talks " in "talks (a|aa)+b"), so that the repeat after it is reached.
    lead = _LITERAL_START.match(source)
    starts = list(dict.fromkeys(["", lead[0] if lead else ""]))
    texts: list[str] = []
    for start in starts:
        for char in [*letters[:40], "a", "1", " "]:
            for end in ("!", "\x00", "\n"):
                texts.append(start + char * PROBE_LENGTH + end)
        for first, second in zip(letters[:20], letters[1:21], strict=False):
            texts.append(start + (first + second) * (PROBE_LENGTH // 2) + "!")
    return list(dict.fromkeys(texts))


def _first_repeat(source: str) -> int:
    """The offset of the first group that is repeated (what usually backtracks), else 0."""
    stack: list[int] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "(":
            stack.append(index)
        elif char == ")" and stack:
            start = stack.pop()
            if _quantifier_at(source, index + 1) if index + 1 < len(source) else None:
                return start
        index += 1
    return 0


def _check_syntax(text: str) -> None:
    try:
        regex.compile(text, _FLAGS)
    except regex.error as exc:
        position = exc.pos if exc.pos is not None else 0
        # For an unclosed group or set the regex engine points at the end; the author needs the opening.
        if exc.msg == "missing )":
            opening = _structure(text).unclosed_group
            position = position if opening is None else opening
        elif exc.msg == "unterminated character set":
            opening = _structure(text).unclosed_set
            position = position if opening is None else opening
        raise PatternError(f"invalid regex: {exc.msg}", min(position, max(len(text) - 1, 0)) + 1) from None


@dataclass
class _Group:
    start: int
    atomic: bool
    repeats: bool = False  # holds a quantifier that can repeat more than once


@dataclass
class _Structure:
    unclosed_group: int | None = None
    unclosed_set: int | None = None
    nested: tuple[int, int] | None = None  # span of the first repeated group holding a repeat


def _nested_quantifier(text: str) -> tuple[int, int] | None:
    """The span of a group that repeats without bound and holds a repeat itself: ``(a+)+``, ``(\\d{1,2})*``.

    Atomic groups ``(?>...)`` and possessive quantifiers (``a++``) cannot backtrack, so they are allowed.
    """
    return _structure(text).nested


def _structure(text: str) -> _Structure:
    found = _Structure()
    stack: list[_Group] = [_Group(start=-1, atomic=False)]
    last_group: _Group | None = None  # the atom just before a quantifier, when it is a group
    index = 0
    while index < len(text):
        char = text[index]
        quantifier = _quantifier_at(text, index)
        if quantifier is not None:
            end, unbounded, repeats = quantifier
            possessive = text[end : end + 1] == "+"
            lazy = text[end : end + 1] == "?"
            if (
                found.nested is None and last_group is not None and unbounded and last_group.repeats
                and not last_group.atomic and not possessive
            ):
                found.nested = (last_group.start, end + (1 if lazy else 0))
            if repeats and not possessive:
                stack[-1].repeats = True
            index = end + (1 if possessive or lazy else 0)
            last_group = None
            continue
        last_group = None
        if char == "\\":
            index = _after_escape(text, index)
        elif char == "[":
            end = _after_set(text, index)
            if end is None:
                found.unclosed_set = index
                break
            index = end
        elif char == "(":
            group = _Group(start=index, atomic=text.startswith("(?>", index))
            index = _after_group_opening(text, index)
            if text.startswith("(?#", group.start):
                continue  # a comment: _after_group_opening skipped it whole
            if text[index - 1 : index] == ")" and index - group.start > 1:
                continue  # an inline flag group such as (?i)
            stack.append(group)
        elif char == ")":
            if len(stack) > 1:
                last_group = stack.pop()
                if last_group.repeats and not last_group.atomic:
                    stack[-1].repeats = True
            index += 1
        else:
            index += 1
    if len(stack) > 1:
        found.unclosed_group = stack[-1].start
    return found


def _quantifier_at(text: str, index: int) -> tuple[int, bool, bool] | None:
    """If a quantifier starts at ``index``: (end, unbounded, can repeat more than once)."""
    char = text[index]
    if char in "*+":
        return index + 1, True, True
    if char == "?":
        return index + 1, False, False
    if char == "{":
        match = _BOUNDED_REPEAT.match(text, index)
        if match and (match[1] or match[3]):
            comma, high = match[2], match[3]
            if not comma:  # an exact count ({3}) repeats, but in only one way
                return match.end(), False, False
            if not high:
                return match.end(), True, True
            return match.end(), False, int(high) > 1
    return None


def _after_escape(text: str, index: int) -> int:
    end = index + 2
    if text[index + 1 : index + 2] in tuple(_ESCAPES_WITH_BRACES) and text[end : end + 1] == "{":
        close = text.find("}", end)
        return close + 1 if close >= 0 else len(text)
    return end


def _after_set(text: str, index: int) -> int | None:
    position = index + 1
    if text[position : position + 1] == "^":
        position += 1
    if text[position : position + 1] == "]":
        position += 1  # a "]" first in a set is a literal
    while position < len(text):
        if text[position] == "\\":
            position += 2
        elif text[position] == "]":
            return position + 1
        else:
            position += 1
    return None


def _after_group_opening(text: str, index: int) -> int:
    if text[index + 1 : index + 2] != "?":
        return index + 1
    if text.startswith("(?#", index):
        close = text.find(")", index)
        return close + 1 if close >= 0 else len(text)
    position = index + 2
    if text[position : position + 1] == "P" and text[position + 1 : position + 2] in "<=>":
        position += 1
    if text[position : position + 1] == "<" and text[position + 1 : position + 2] not in ("=", "!"):
        close = text.find(">", position)
        return close + 1 if close >= 0 else len(text)
    if text[position : position + 1] == "'":
        close = text.find("'", position + 1)
        return close + 1 if close >= 0 else len(text)
    if text[position : position + 1] == "<":
        return position + 2  # (?<= and (?<!
    while position < len(text) and (text[position].isalpha() or text[position] == "-"):
        position += 1  # inline flags: (?i) or (?i:...)
    if text[position : position + 1] in (":", "=", "!", ">", ")"):
        position += 1
    return position
