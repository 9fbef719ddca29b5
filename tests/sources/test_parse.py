"""parse_feed(): entries from RSS and Atom, and a clear account of every feed that is not clean."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from service.sources.fetch import FetchResult, fetch
from service.sources.parse import FeedError, content_hash, parse_feed
from tests.sources.texts import DETAINEE_LISTS, GRAIN_CORRIDOR, HARBOUR_TALKS
from tests.support.feedserver import RSS_TYPE, FeedServer, FixtureItem, atom_xml, rss_xml

URL = "https://wire.example/feed.xml"


def _result(body: bytes | str, content_type: str | None = RSS_TYPE, url: str = URL) -> FetchResult:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return FetchResult(status=200, body=data, url=url, content_type=content_type)


def test_rss_entries() -> None:
    parsed = parse_feed(_result(rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR])))
    assert parsed.problem is None and parsed.version == "rss20"
    first, second = parsed.entries
    assert first.guid == "wire-1001"
    assert first.link == "https://wire.example/harbour-talks"
    assert first.title == "Harbour talks adjourn for the weekend"
    assert "<b>Tuesday</b>" in first.text  # HTML is kept; extraction strips it
    assert first.published == datetime(2025, 6, 7, 9, 30, tzinfo=UTC)
    assert second.guid == "wire-1002"


def test_atom_entries_prefer_full_content() -> None:
    feed = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title><id>urn:desk</id>
<updated>2025-06-08T00:00:00Z</updated>
<entry><title>Mediators publish the agenda</title><id>urn:desk:77</id>
<link rel="alternate" href="https://desk.example/77"/><link rel="related" href="https://other.example/"/>
<published>2025-06-08T10:00:00+03:00</published><summary>Short version.</summary>
<content type="html">&lt;p&gt;The long version, with &lt;em&gt;detail&lt;/em&gt;.&lt;/p&gt;</content></entry>
</feed>"""
    parsed = parse_feed(_result(feed, "application/atom+xml"))
    (entry,) = parsed.entries
    assert parsed.version == "atom10"
    assert entry.guid == "urn:desk:77"
    assert entry.link == "https://desk.example/77"
    assert entry.text == "<p>The long version, with <em>detail</em>.</p>"
    assert entry.published == datetime(2025, 6, 8, 7, 0, tzinfo=UTC)  # converted to UTC


def test_atom_fixture_round_trip() -> None:
    item = replace(DETAINEE_LISTS, guid="urn:wire:1003")  # Atom ids are IRIs
    parsed = parse_feed(_result(atom_xml([item]), "application/atom+xml"))
    (entry,) = parsed.entries
    assert (entry.guid, entry.title, entry.link) == ("urn:wire:1003", item.title, item.link)
    assert entry.published == DETAINEE_LISTS.published


def test_atom_entry_with_only_updated_uses_it() -> None:
    feed = atom_xml([replace(GRAIN_CORRIDOR, guid="urn:wire:1002", published=None)])
    feed = feed.replace("</content>", "</content><updated>2025-06-07T12:00:00Z</updated>")
    assert parse_feed(_result(feed, "application/atom+xml")).entries[0].published == datetime(
        2025, 6, 7, 12, 0, tzinfo=UTC)


def test_entry_without_a_date_has_no_published() -> None:
    parsed = parse_feed(_result(rss_xml([replace(HARBOUR_TALKS, published=None)])))
    assert parsed.problem is None
    assert parsed.entries[0].published is None


def test_unparseable_date_gives_none_without_a_problem() -> None:
    # feedparser leaves bozo false here: the None must come from published_parsed, not from bozo.
    parsed = parse_feed(_result(rss_xml([replace(HARBOUR_TALKS, published="the day after the summit")])))
    assert parsed.problem is None
    assert parsed.entries[0].published is None


def test_guid_falls_back_to_link_then_to_a_hash() -> None:
    by_link = replace(GRAIN_CORRIDOR, guid=None)
    anonymous = replace(DETAINEE_LISTS, guid=None, link=None)
    entries = parse_feed(_result(rss_xml([by_link, anonymous]))).entries
    assert entries[0].guid == "https://wire.example/grain-corridor"
    assert entries[1].guid.startswith("sha256:") and entries[1].link == ""
    again = parse_feed(_result(rss_xml([anonymous]))).entries[0]
    assert again.guid == entries[1].guid  # stable, so the entry is not "new" on every poll


def test_relative_links_resolve_against_the_final_url() -> None:
    item = replace(HARBOUR_TALKS, link="/stories/harbour", guid=None)
    entry = parse_feed(_result(rss_xml([item]), url="https://mirror.example/feeds/main.xml")).entries[0]
    assert entry.link == "https://mirror.example/stories/harbour"


def test_content_hash_is_stable_and_tracks_content() -> None:
    body = rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR])
    first = parse_feed(_result(body)).entries[0]
    assert parse_feed(_result(body)).entries[0].content_hash == first.content_hash
    reordered = parse_feed(_result(rss_xml([GRAIN_CORRIDOR, HARBOUR_TALKS]))).entries[1]
    assert reordered.content_hash == first.content_hash
    # A new publication date alone is not a revision; changed words are.
    redated = replace(HARBOUR_TALKS, published=datetime(2025, 6, 9, tzinfo=UTC))
    assert parse_feed(_result(rss_xml([redated]))).entries[0].content_hash == first.content_hash
    edited = replace(HARBOUR_TALKS, text=HARBOUR_TALKS.text + " A venue was named later.")
    assert parse_feed(_result(rss_xml([edited]))).entries[0].content_hash != first.content_hash


def test_content_hash_ignores_whitespace_and_unicode_form() -> None:
    assert content_hash("Caf\u00e9  talks", "a\n b", "x") == content_hash("Cafe\u0301 talks", " a b ", "x")
    assert content_hash("a", "b", "c") != content_hash("a b", "", "c")


def test_not_modified_has_no_entries() -> None:
    assert parse_feed(FetchResult(status=304, body=b"", url=URL)).entries == ()


def test_empty_body_is_a_feed_error() -> None:
    with pytest.raises(FeedError, match="^empty response"):
        parse_feed(_result(b""))
    with pytest.raises(FeedError, match="^empty response"):
        parse_feed(_result(b"  \n"))


def test_html_is_a_feed_error() -> None:
    page = "<!DOCTYPE html><html><body><h1>Newsroom</h1></body></html>"
    with pytest.raises(FeedError) as caught:
        parse_feed(_result(page, "text/html; charset=utf-8"))
    assert caught.value.reason == "not a feed: the server sent text/html"


def test_garbage_and_json_are_feed_errors() -> None:
    for body, content_type in ((b"\x00\x01 binary noise", "application/octet-stream"),
                               (b'{"items": []}', "application/json")):
        with pytest.raises(FeedError) as caught:
            parse_feed(_result(body, content_type))
        assert caught.value.reason.startswith("not a feed: malformed XML at line ")


def test_xml_that_is_not_a_feed() -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(_result('<?xml version="1.0"?><inventory><crate/></inventory>', "application/xml"))
    assert caught.value.reason == "not a feed: no RSS or Atom content found"


def test_truncated_feed_keeps_the_whole_entries_before_the_cut() -> None:
    body = rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR, DETAINEE_LISTS])
    parsed = parse_feed(_result(body[: body.index("Detainee lists")]))
    assert [e.guid for e in parsed.entries] == ["wire-1001", "wire-1002"]
    assert parsed.problem is not None
    assert parsed.problem.startswith("feed is truncated, its last entry was left out (malformed XML at line")


def test_entry_cut_mid_sentence_is_not_used() -> None:
    # Read whole, this says the opposite of its first half: the cut copy must never be evidence.
    item = FixtureItem("Truce talks", guid="wire-3001",
                       text="The truce was agreed to be postponed until the envoys return.")
    body = rss_xml([HARBOUR_TALKS, item])
    parsed = parse_feed(_result(body[: body.index(" to be postponed")]))
    assert [e.guid for e in parsed.entries] == ["wire-1001"]


def test_truncated_before_any_entry_is_a_feed_error() -> None:
    body = rss_xml([HARBOUR_TALKS])
    for cut in (body[: body.index("<item>")], body[: body.index("<item>") + 10]):
        with pytest.raises(FeedError) as caught:
            parse_feed(_result(cut))
        assert caught.value.reason.startswith("no entries could be read: feed is truncated")


def test_malformed_but_complete_feed_keeps_all_its_entries() -> None:
    body = rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR]).replace("Grain corridor", "Grain & corridor")
    parsed = parse_feed(_result(body))
    assert [e.guid for e in parsed.entries] == ["wire-1001", "wire-1002"]
    assert parsed.problem is not None and parsed.problem.startswith("malformed XML at line")


def test_well_formed_feed_without_items_is_empty_not_an_error() -> None:
    parsed = parse_feed(_result(rss_xml([])))
    assert parsed.entries == () and parsed.problem is None


def test_wrong_charset_declared_still_parses_with_a_problem() -> None:
    item = replace(HARBOUR_TALKS, title="Caf\u00e9 owners near the port reopen")
    body = rss_xml([item]).encode("latin-1")  # the document and the header both claim UTF-8
    parsed = parse_feed(_result(body, "application/rss+xml; charset=utf-8"))
    assert parsed.entries[0].title == "Caf\u00e9 owners near the port reopen"
    assert parsed.problem is not None and parsed.problem.startswith("wrong character encoding declared")


def test_feed_served_as_html_still_yields_its_entries() -> None:
    parsed = parse_feed(_result(rss_xml([HARBOUR_TALKS]), "text/html"))
    assert [e.guid for e in parsed.entries] == ["wire-1001"]
    assert parsed.problem is not None


# Over HTTP: what the feed server sends reaches feedparser with its headers.


def test_mislabelled_feed_over_http(feed_server: FeedServer) -> None:
    item = FixtureItem("Z\u00fcrich envoy joins the mediation", guid="wire-2001", text="M\u00fcller spoke first.")
    feed_server.set_mislabelled("/latin.xml", rss_xml([item]), actual="latin-1", declared="utf-8")
    parsed = parse_feed(fetch(feed_server.url("/latin.xml"), timeout=1.0))
    assert parsed.entries[0].title == "Z\u00fcrich envoy joins the mediation"
    assert parsed.problem and "encoding" in parsed.problem


def test_html_page_over_http(feed_server: FeedServer) -> None:
    feed_server.set_html("/news/")
    with pytest.raises(FeedError, match="not a feed: the server sent text/html"):
        parse_feed(fetch(feed_server.url("/news/"), timeout=1.0))


def test_truncated_feed_over_http(feed_server: FeedServer) -> None:
    feed_server.set_truncated("/cut.xml", rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR, DETAINEE_LISTS]), keep=0.7)
    parsed = parse_feed(fetch(feed_server.url("/cut.xml"), timeout=1.0))
    assert parsed.entries and parsed.entries[0].guid == "wire-1001"
    assert parsed.problem is not None


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
     "file:///etc/passwd", "vbscript:msgbox(1)"],
)
def test_a_link_that_is_not_a_web_address_is_dropped_and_the_entry_kept(link: str) -> None:
    item = replace(HARBOUR_TALKS, link=link)
    (entry,) = parse_feed(_result(rss_xml([item]))).entries
    assert entry.link == ""
    assert entry.title == HARBOUR_TALKS.title and entry.guid == HARBOUR_TALKS.guid


def test_http_and_https_links_are_kept() -> None:
    items = [replace(HARBOUR_TALKS, link="http://wire.example/a"), replace(GRAIN_CORRIDOR, link="https://wire.example/b")]
    assert [e.link for e in parse_feed(_result(rss_xml(items))).entries] == ["http://wire.example/a",
                                                                            "https://wire.example/b"]
