"""The values that cross the extraction boundary: entries going in, findings and vetoes coming out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class EntryText:
    """What extraction reads of one feed entry."""

    source: str
    guid: str
    link: str
    title: str
    text: str  # may contain HTML; extraction strips it
    published: datetime  # timezone-aware
    language: str = "en"  # "en", "uk" or "ru": which patterns, cues, sentence splitter and dates apply


@dataclass(frozen=True)
class Finding:
    """An accepted match: this sentence is evidence that ``item`` has ``value``.

    ``value`` is a state name for status items, an ISO date (``2025-06-09``) or ``unannounced`` for
    date items.
    """

    item: str
    value: str
    sentence: str
    pattern: str


@dataclass(frozen=True)
class Veto:
    """A pattern matched but a guard refused it (for ``vigil explain``)."""

    item: str
    value: str
    sentence: str
    pattern: str
    guard: str  # "negation", "hedge", "scope", "date", "timeout", "background" (history, not news)
    cue: str  # the cue phrase that vetoed, or what was missing
    reason: str  # one readable sentence


@dataclass(frozen=True)
class SentenceReport:
    """Everything extraction concluded about one sentence."""

    sentence: str
    findings: list[Finding] = field(default_factory=list)
    vetoes: list[Veto] = field(default_factory=list)


@dataclass(frozen=True)
class Skipped:
    """An item whose patterns did not read all of an entry (its time ran out), and why."""

    item: str
    reason: str


@dataclass(frozen=True)
class Extraction:
    """What reading one entry found, and the items it could not read it for."""

    findings: list[Finding]
    skipped: list[Skipped] = field(default_factory=list)
