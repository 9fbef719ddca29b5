"""classify(): new, revised or unchanged, by guid and content hash."""

from __future__ import annotations

from service.sources.entries import classify
from service.sources.parse import FeedEntry, content_hash


def _entry(text: str) -> FeedEntry:
    return FeedEntry(guid="wire-1", link="https://wire.example/1", title="Talks", text=text,
                     published=None, content_hash=content_hash("Talks", text, "https://wire.example/1"))


def test_unknown_guid_is_new() -> None:
    assert classify(_entry("first"), None) == "new"


def test_same_hash_is_unchanged() -> None:
    entry = _entry("first")
    assert classify(entry, entry.content_hash) == "unchanged"


def test_different_hash_is_revised() -> None:
    assert classify(_entry("first, then more"), _entry("first").content_hash) == "revised"
