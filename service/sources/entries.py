"""The rule that says whether a polled entry is new, a revision of one we know, or nothing new."""

from __future__ import annotations

from typing import Literal

from service.sources.parse import FeedEntry

EntryKind = Literal["new", "revised", "unchanged"]


def classify(entry: FeedEntry, known_hash: str | None) -> EntryKind:
    """Compare an entry with the content hash last recorded for its guid (None: never seen).

    Identity is the guid; a different content hash under a known guid is a revision (a headline
    rewritten, a paragraph added), which must be examined again because it may carry new evidence.
    """
    if known_hash is None:
        return "new"
    return "unchanged" if known_hash == entry.content_hash else "revised"
