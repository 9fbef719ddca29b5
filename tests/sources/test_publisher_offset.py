"""An entry keeps the UTC offset its feed dated it in: "tomorrow" is the publisher's tomorrow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.sources.fetch import FetchResult
from service.sources.parse import parse_feed
from tests.support.feedserver import RSS_TYPE, FixtureItem, atom_xml, rss_xml

KYIV_AFTER_MIDNIGHT = datetime(2025, 6, 8, 21, 30, tzinfo=UTC)  # Monday 00:30 in Kyiv, Sunday in UTC


def _published(feed: str, content_type: str = RSS_TYPE) -> datetime | None:
    result = FetchResult(status=200, body=feed.encode(), url="https://wire.example/feed", content_type=content_type)
    (entry,) = parse_feed(result).entries
    return entry.published


@pytest.mark.parametrize(
    ("written", "offset_minutes"),
    [
        ("Mon, 09 Jun 2025 00:30:00 +0300", 180),
        ("Sun, 08 Jun 2025 17:30:00 EDT", -240),
        ("Sun, 08 Jun 2025 21:30:00 GMT", 0),
        ("Sun, 08 Jun 2025 21:30:00 -0000", 0),  # RFC 5322: offset unknown, read as UTC
    ],
)
def test_rss_dates_keep_the_offset_they_were_written_in(written: str, offset_minutes: int) -> None:
    published = _published(rss_xml([FixtureItem("Talks", "Text", "https://wire.example/1", "g1", written)]))
    assert published == KYIV_AFTER_MIDNIGHT  # the same moment ...
    assert published is not None and published.utcoffset() == timedelta(minutes=offset_minutes)  # ... its zone


def test_atom_dates_keep_their_offset() -> None:
    item = FixtureItem("Talks", "Text", "https://wire.example/1", "urn:g1", "2025-06-09T00:30:00+03:00")
    published = _published(atom_xml([item]), "application/atom+xml")
    assert published == KYIV_AFTER_MIDNIGHT and published.utcoffset() == timedelta(hours=3)
    assert published.date().isoformat() == "2025-06-09"  # Monday, as the publisher dated it


def test_the_entry_says_its_offset_in_minutes_and_none_without_a_date() -> None:
    item = FixtureItem("Talks", "Text", "https://wire.example/1", "g1", "Mon, 09 Jun 2025 00:30:00 +0530")
    result = FetchResult(
        status=200,
        body=rss_xml([item, FixtureItem("Undated", "Text", "https://wire.example/2", "g2")]).encode(),
        url="https://wire.example/feed",
        content_type=RSS_TYPE,
    )
    dated, undated = parse_feed(result).entries
    assert dated.published_offset_minutes == 330 and undated.published_offset_minutes is None
