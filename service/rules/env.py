"""``${VAR}`` and ``${VAR:-default}`` references to environment variables in rule files.

``${VAR}`` needs VAR to be set (an empty value counts as set); ``${VAR:-default}`` uses the default
when VAR is unset or empty, as a POSIX shell does. ``$${`` stands for a literal ``${``. Defaults cannot
contain ``}`` and references do not nest.

Subscriber URLs keep their references unexpanded in the loaded rules, so secrets never reach the event
log or a printout; delivery calls ``expand`` at send time. Every other string is expanded at load.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_REFERENCE = re.compile(r"\$(?P<escaped>\$\{)|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")


class UnsetVariableError(ValueError):
    """A ``${VAR}`` reference to a variable that is not set and has no default."""

    def __init__(self, name: str) -> None:
        super().__init__(f"environment variable {name} is not set")
        self.name = name


@dataclass(frozen=True)
class Reference:
    """One ``${NAME}`` or ``${NAME:-default}`` in a string, starting at ``offset`` (0-based)."""

    name: str
    default: str | None
    offset: int

    def resolve(self, env: Mapping[str, str]) -> str | None:
        """The value this reference stands for under ``env``, or None when it has none."""
        value = env.get(self.name)
        if self.default is not None and not value:
            return self.default
        return value


def find_references(text: str) -> list[Reference]:
    """Every reference in ``text``, in order, with its position."""
    return [
        Reference(match["name"], match["default"], match.start())
        for match in _REFERENCE.finditer(text)
        if match["name"] is not None
    ]


def references(text: str) -> list[str]:
    """The names of the variables ``text`` refers to, each once, in order of first appearance."""
    return list(dict.fromkeys(reference.name for reference in find_references(text)))


def unresolved(text: str, env: Mapping[str, str]) -> list[Reference]:
    """The references in ``text`` that ``env`` cannot fill (unset, no default)."""
    return [reference for reference in find_references(text) if reference.resolve(env) is None]


def expand(text: str, env: Mapping[str, str]) -> str:
    """``text`` with every reference replaced by its value; raise UnsetVariableError naming the first
    variable that is not set and has no default."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "${"
        value = Reference(match["name"], match["default"], match.start()).resolve(env)
        if value is None:
            raise UnsetVariableError(match["name"])
        return value

    return _REFERENCE.sub(replace, text)
