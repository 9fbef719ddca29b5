"""decode_body(): gzip and deflate undone within the cap, whatever the server sends; entity declarations."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import pytest

from service.sources.decoding import BodyTooLarge, BodyUndecodable, decode_body
from service.sources.entity_declarations import strip_entity_declarations
from service.sources.fetch import FetchResult, fetch
from service.sources.parse import parse_feed
from tests.support.rawserver import RawServer, head

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title></channel></rss>'


def _chunks(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    ("coding", "encoded"),
    [
        ("", FEED),
        ("identity", FEED),
        ("utf-8", FEED),  # not a compression: misconfigured servers send it, browsers ignore it
        ("gzip", gzip.compress(FEED, mtime=0)),
        ("x-gzip", gzip.compress(FEED, mtime=0)),
        ("deflate", zlib.compress(FEED)),
        ("deflate", zlib.compress(FEED)[2:-4]),  # raw deflate, as many servers send it
        ("GZIP", gzip.compress(FEED[:40], mtime=0) + gzip.compress(FEED[40:], mtime=0)),  # two gzip members
        ("gzip", gzip.compress(FEED, mtime=0) + b"\x00\x00 trailing junk"),
    ],
)
def test_encodings_servers_send_are_decoded(coding: str, encoded: bytes) -> None:
    assert decode_body(_chunks(encoded), coding, 10_000) == FEED


def test_a_body_at_the_cap_passes_and_one_byte_more_does_not() -> None:
    assert decode_body(_chunks(gzip.compress(FEED)), "gzip", len(FEED)) == FEED
    with pytest.raises(BodyTooLarge):
        decode_body(_chunks(gzip.compress(FEED)), "gzip", len(FEED) - 1)


def test_a_bomb_stops_at_the_cap_without_inflating_further() -> None:
    bomb = gzip.compress(b"\x00" * 5_000_000, 9)
    with pytest.raises(BodyTooLarge):
        decode_body([bomb], "gzip", 100_000)


@pytest.mark.parametrize(
    ("coding", "encoded", "message"),
    [
        ("gzip", b"\x1f\x8b\x08\x00not really gzip at all", "could not be decoded"),
        ("gzip", gzip.compress(FEED, mtime=0)[:30], "incomplete"),
        ("br", b"abc", "unsupported content-encoding 'br'"),
        ("gzip, deflate", b"abc", "unsupported content-encoding"),
        ("zstd", b"abc", "unsupported content-encoding 'zstd'"),
    ],
)
def test_bodies_that_cannot_be_decoded_say_why(coding: str, encoded: bytes, message: str) -> None:
    with pytest.raises(BodyUndecodable, match=message):
        decode_body(_chunks(encoded), coding, 10_000)


def test_an_empty_body_is_empty_whatever_its_encoding() -> None:
    assert decode_body([], "gzip", 10) == b""


def test_entity_declarations_go_even_with_a_closing_bracket_in_their_value() -> None:
    body = b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "x>y">\n<!ENTITY b \'z\'>\n]>\n<rss>&a;</rss>'
    stripped, found = strip_entity_declarations(body)
    assert found
    assert stripped == b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n\n\n]>\n<rss>&a;</rss>'
    assert strip_entity_declarations(FEED) == (FEED, False)


def test_an_entity_naming_one_character_is_kept_and_read() -> None:
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n<!ENTITY % p "&#37;">\n]>\n'
        b'<rss version="2.0"><channel><title>t</title><item><title>A&nbsp;B</title></item></channel></rss>'
    )
    stripped, removed = strip_entity_declarations(body)
    assert removed and b'<!ENTITY nbsp "&#160;">' in stripped and b"% p" not in stripped
    assert strip_entity_declarations(body.replace(b'<!ENTITY % p "&#37;">\n', b"")) == (
        body.replace(b'<!ENTITY % p "&#37;">\n', b""),
        False,
    )
    parsed = parse_feed(FetchResult(200, body, "http://wire.test/", content_type="application/rss+xml"))
    assert [entry.title for entry in parsed.entries] == ["A\u00a0B"]


@pytest.mark.parametrize(("coding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_a_compressed_feed_is_fetched_decoded(coding: str, compress: Callable[[bytes], bytes]) -> None:
    body = compress(FEED)
    headers = {"Content-Type": "application/rss+xml", "Content-Encoding": coding, "Content-Length": str(len(body))}
    with RawServer() as raw:
        raw.set_raw("/wire.xml", head(200, headers) + body)
        result = fetch(raw.url("/wire.xml"), timeout=2.0)
    assert result.body == FEED
