"""Scope: which tracked items an entry is about, from the terms it mentions as whole words.

An item's ``scope`` is a list of groups of terms; the entry (title and text) must mention at least one
term of every group ("a ceasefire in Gaza" never touches a Ukraine-Russia item). All items' terms go
into one Aho-Corasick automaton, so an entry is read once however many items there are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ahocorasick

from service.extraction.folding import fold
from service.extraction.word_forms import expand_term


def _term(text: str) -> str:
    return " ".join(fold(text).split())


def _forms(text: str) -> list[str]:
    """The folded term, then its Ukrainian and Russian forms when it is written in Cyrillic."""
    term = _term(text)
    return [term, *sorted(_term(form) for form in expand_term(term) if _term(form) != term)]


@dataclass(frozen=True)
class Mentions:
    """The scope terms one entry mentions (folded as ``folding.fold`` does, spaces normalised)."""

    terms: frozenset[str]


class ScopeIndex:
    """Every item's scope groups, and one automaton over all their terms."""

    def __init__(self, scopes: Mapping[str, Sequence[Sequence[str]]]) -> None:
        # Each term with its Ukrainian and Russian forms ("Україна": "України", "Україною"), in the author's order.
        self._groups: dict[str, tuple[tuple[str, ...], ...]] = {
            item: tuple(tuple(dict.fromkeys(form for t in group if t.strip() for form in _forms(t)))
                        for group in groups if group)
            for item, groups in scopes.items()
        }
        # What messages show of a group: the author's own spellings ("İzmir", not "izmir"; no inflected forms).
        self._labels: dict[str, tuple[str, ...]] = {
            item: tuple(" / ".join(dict.fromkeys(" ".join(t.split()) for t in group if t.strip()))
                        for group in groups if group)
            for item, groups in scopes.items()
        }
        self._unscoped = frozenset(item for item, groups in self._groups.items() if not groups)
        sharing: dict[str, int] = {}
        for groups in self._groups.values():
            for term in {t for group in groups for t in group}:
                sharing[term] = sharing.get(term, 0) + 1
        # Each item is found through its most selective group (the one whose terms the fewest items share):
        # a brand name, not "yoghurt". Finding an entry's items then costs what it mentions, not the item count.
        self._anchored: dict[str, tuple[str, ...]] = {}
        for item, groups in self._groups.items():
            if groups:
                anchor = min(groups, key=lambda group: sum(sharing[t] for t in group))
                for term in anchor:
                    self._anchored[term] = (*self._anchored.get(term, ()), item)
        self._automaton = ahocorasick.Automaton()
        for term in sharing:
            self._automaton.add_word(term, term)
        if sharing:
            self._automaton.make_automaton()
        self._empty = not sharing

    def mentions(self, text: str) -> Mentions:
        """The terms ``text`` mentions as whole words, case-insensitively ("İSTANBUL" is "istanbul")."""
        if self._empty:
            return Mentions(frozenset())
        lowered = " ".join(fold(text).split())
        found: set[str] = set()
        for end, term in self._automaton.iter(lowered):
            start = end - len(term) + 1
            before = lowered[start - 1] if start > 0 else " "
            after = lowered[end + 1] if end + 1 < len(lowered) else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                found.add(term)
        return Mentions(frozenset(found))

    def missing(self, item: str, mentions: Mentions) -> str | None:
        """The first of ``item``'s scope groups the entry never mentions, as text; None when in scope."""
        for group, label in zip(self._groups.get(item, ()), self._labels.get(item, ()), strict=True):
            if mentions.terms.isdisjoint(group):
                return label
        return None

    def candidate_items(self, mentions: Mentions, limit: int) -> frozenset[str] | None:
        """The items the entry may be in scope for (a superset: check each with ``missing``), or None when
        there are more than ``limit`` of them."""
        if len(self._unscoped) + sum(len(self._anchored.get(term, ())) for term in mentions.terms) > limit:
            return None
        return self._unscoped.union(item for term in mentions.terms for item in self._anchored.get(term, ()))
