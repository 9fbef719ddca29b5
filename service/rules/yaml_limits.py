"""Limits on the shape of a rule file's YAML, checked on its event stream before any tree is built.

A rule file is a few hundred lines; a file that is far larger, nested far deeper, or whose aliases
expand to far more values than any rule set needs is refused with one ``file:line:col`` error. This
stops billion-laughs files (aliases of aliases expanding to gigabytes) and deep nesting (which would
exhaust the recursion of the YAML composer and of the loader) before either can run. The event stream
is produced without recursion, so checking it is safe whatever the file holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    NodeEvent,
    ScalarEvent,
)

from service.rules.errors import RuleError

#: The largest rule file read, in bytes.
MAX_FILE_BYTES = 1_000_000
#: The deepest nesting of lists and mappings, aliases followed.
MAX_DEPTH = 32
#: The most values (scalars, lists, mappings) a file may hold once its aliases are expanded.
MAX_VALUES = 100_000


@dataclass
class _Open:
    """A list or mapping being read: its anchor, the values in it so far, and its height so far."""

    anchor: str | None
    values: int = 1
    height: int = 1


def shape_error(name: str, text: str) -> RuleError | None:
    """The first limit ``text`` (the file ``name``) breaks, as a RuleError; None when it breaks none.

    A file the YAML parser rejects is not judged here: loading it reports the syntax error.
    """
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values, height) of the node it names
    stack: list[_Open] = []
    expanded = 0
    try:
        for event in YAML(typ="rt").parse(text):
            values, height = _measure(event, sizes, stack)
            expanded += values
            if expanded > MAX_VALUES:
                return _at(name, event, f"the file expands to more than {MAX_VALUES} values (check its aliases)")
            if len(stack) + height > MAX_DEPTH + (1 if isinstance(event, CollectionStartEvent) else 0):
                return _at(name, event, f"lists and mappings nested more than {MAX_DEPTH} deep")
    except YAMLError:
        return None
    return None


def size_error(name: str, size: int) -> RuleError | None:
    """An error when a file of ``size`` bytes is too large to be a rule file."""
    if size > MAX_FILE_BYTES:
        return RuleError(name, 1, 1, f"the file is {size} bytes; a rule file may have at most {MAX_FILE_BYTES}")
    return None


def _measure(event: Event, sizes: dict[str, tuple[int, int]], stack: list[_Open]) -> tuple[int, int]:
    """The values ``event`` adds to the expanded file, and the height it adds below the open node."""
    if isinstance(event, CollectionStartEvent):
        stack.append(_Open(event.anchor))
        return 1, 1
    if isinstance(event, CollectionEndEvent):
        closed = stack.pop()
        if closed.anchor:
            sizes[closed.anchor] = (closed.values, closed.height)
        _add(stack, closed.values, closed.height)
        return 0, 0
    if isinstance(event, AliasEvent):
        values, height = sizes.get(event.anchor or "", (1, 0))
        _add(stack, values, height)
        return values, height
    if isinstance(event, ScalarEvent):
        if event.anchor:
            sizes[event.anchor] = (1, 0)
        _add(stack, 1, 0)
        return 1, 0
    return 0, 0


def _add(stack: list[_Open], values: int, height: int) -> None:
    if stack:
        stack[-1].values += values
        stack[-1].height = max(stack[-1].height, height + 1)


def _at(name: str, event: NodeEvent | Event, message: str) -> RuleError:
    mark = event.start_mark
    return RuleError(name, mark.line + 1, mark.column + 1, message) if mark else RuleError(name, 1, 1, message)
