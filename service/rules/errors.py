"""Errors in rule files, and the file:line:col positions they point at.

Every problem found in a rule file (bad YAML, a wrong field, an unknown item, an unset environment
variable, a pattern that does not compile) becomes a ``RuleError`` whose ``str()`` is the one line an
editor or a terminal understands: ``file:line:col: message``. Lines and columns are 1-based.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

NodePath = tuple[Hashable, ...]
"""Where a value sits in the merged rule set, e.g. ``("items", "ceasefire", "states", "agreed", 0)``."""


@dataclass(frozen=True, order=True)
class RuleError:
    """One problem in one rule file, at a 1-based line and column."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {_printable(self.message)}"


def _printable(text: str) -> str:
    """``text`` on one line: a key or value quoted in a message may hold line breaks or controls."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


class RuleErrors(Exception):
    """Rule files that cannot be used; ``errors`` holds every problem found, sorted by file and line."""

    def __init__(self, errors: Iterable[RuleError]) -> None:
        # The same node can be reached twice (e.g. an alias); report each distinct problem once.
        self.errors: list[RuleError] = sorted(set(errors))
        super().__init__("\n".join(str(error) for error in self.errors))


def did_you_mean(word: object, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or ``; expected one of: ...`` when none is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; expected one of: {', '.join(choices)}" if choices else ""


@dataclass(frozen=True)
class Location:
    """A 1-based position in a rule file."""

    file: str
    line: int
    col: int

    def error(self, message: str) -> RuleError:
        """A RuleError at this position."""
        return RuleError(self.file, self.line, self.col, message)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True)
class NodePosition:
    """Where one YAML node was written: its key (for mapping entries) and its value.

    For scalars, ``text`` is the value as the author wrote it (before ``${VAR}`` expansion) and ``raw``
    its source from the value's first character (to the end of its line; block scalars take their
    following lines too), so that a column *inside* the string (a regex error, an unset variable) can be
    mapped back to the file.
    """

    key: Location | None
    value: Location
    scalar: bool
    text: str | None = None
    raw: str = ""


class SourceMap:
    """Positions of every node of the merged rule set, addressed by its path (as pydantic's ``loc``)."""

    def __init__(self) -> None:
        self._nodes: dict[NodePath, NodePosition] = {}

    def add(self, path: NodePath, node: NodePosition) -> None:
        """Record where the node at ``path`` was written (the first definition wins)."""
        self._nodes.setdefault(path, node)

    def node(self, path: NodePath) -> NodePosition | None:
        """The node at ``path``, or at the nearest ancestor that was written in a file."""
        for end in range(len(path), 0, -1):
            found = self._nodes.get(path[:end])
            if found is not None:
                return found
        return None

    def where(self, path: NodePath) -> Location:
        """The best place to report a problem with the node at ``path``.

        Scalars point at their value; mappings and lists at their key, because a block mapping's
        "value" position is its first child's, which would blame the wrong line.
        """
        node = self.node(path)
        if node is None:
            return self._fallback()
        if node.scalar or node.key is None:
            return node.value
        return node.key

    def key(self, path: NodePath) -> Location:
        """Where the key of the mapping entry at ``path`` was written (its value's position if none)."""
        node = self.node(path)
        if node is None:
            return self._fallback()
        return node.key or node.value

    def within(self, path: NodePath, offset: int, text: str | None = None) -> Location:
        """The position of character ``offset`` (0-based) of the string at ``path``.

        ``text`` is the string the offset refers to; when it differs from what the author wrote (it had
        ``${VAR}`` expanded), offsets past the first difference cannot be trusted and the string's own
        position is returned instead, as it is for folded (``>``) scalars and quoted strings past their
        first line.
        """
        node = self._nodes.get(path)
        if node is None or not node.scalar or node.text is None:
            return self.where(path)
        trusted = len(node.text) if text is None else len(os.path.commonprefix([text, node.text]))
        positions = scalar_positions(node.raw, node.text)
        if offset < 0 or offset >= min(trusted, len(positions)):
            return node.value
        lines_down, col = positions[offset]
        if lines_down == 0:
            return Location(node.value.file, node.value.line, node.value.col + col)
        return Location(node.value.file, node.value.line + lines_down, col + 1)

    def _fallback(self) -> Location:
        first = next(iter(self._nodes.values()), None)
        return Location(first.value.file, 1, 1) if first else Location("<rules>", 1, 1)


_ESCAPE_WIDTH = {"x": 3, "u": 5, "U": 9}
_BLOCK_HEADER = re.compile(r"^[|>][+-]?\s*(#.*)?$")


def scalar_positions(raw: str, text: str) -> list[tuple[int, int]]:
    """Where each of a prefix of ``text``'s characters was written, as (lines down, column).

    ``raw`` is the scalar's source from its first character. On the scalar's first line the column is
    counted from the scalar's start; on later lines (literal block scalars) it is the 0-based column of
    the line. Plain, quoted and literal scalars map; the mapping stops where the source and the text stop
    agreeing (a folded line, an escape that cannot be checked), so every position returned is exact.
    """
    if not raw or not text:
        return []
    if raw[0] == "'":
        return [(0, col) for col in _quoted_columns(raw, text, quote="'")]
    if raw[0] == '"':
        return [(0, col) for col in _quoted_columns(raw, text, quote='"')]
    if raw[0] == "|":
        return _literal_positions(raw, text)
    if raw[0] in ">&!":
        return []
    # A plain scalar is its own source text, up to where it continues on the next line.
    return [(0, col) for col in range(len(os.path.commonprefix([raw, text])))]


def _quoted_columns(raw: str, text: str, *, quote: str) -> list[int]:
    columns: list[int] = []
    index = 1
    while len(columns) < len(text) and index < len(raw):
        char = raw[index]
        if quote == "'" and char == "'":
            if raw[index + 1 : index + 2] != "'":
                break
            width = 2
        elif quote == '"' and char == '"':
            break
        elif quote == '"' and char == "\\":
            width = _ESCAPE_WIDTH.get(raw[index + 1 : index + 2], 2)
        else:
            if char != text[len(columns)]:
                break
            width = 1
        columns.append(index)
        index += width
    return columns


def _literal_positions(raw: str, text: str) -> list[tuple[int, int]]:
    source = raw.split("\n")
    if not _BLOCK_HEADER.match(source[0]):
        return []  # an explicit indentation indicator: rare enough to point at the scalar instead
    content = [line for line in source[1:] if line.strip()]
    if not content:
        return []
    indent = len(content[0]) - len(content[0].lstrip(" "))
    positions: list[tuple[int, int]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        written = source[number][indent:] if number < len(source) else ""
        if not written.startswith(line):
            break
        positions += [(number, indent + col) for col in range(len(line) + 1)]  # + 1: the line break
    return positions[: len(text)]
