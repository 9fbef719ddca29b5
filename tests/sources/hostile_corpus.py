"""A corpus of malformed and hostile feed responses, built in code (no binary fixtures in git).

Each ``HostileInput`` says how it is served (a body from the ``FeedServer``, exact bytes or a
never-ending trickle from the ``RawServer``, a redirect, a hang) and what Vigil must make of it: a
failed poll whose reason contains ``reason``, or a partial read (the poll succeeds, the problem is
recorded and contains ``reason``). ``build_corpus`` needs the path of a local file that must never be
read and the URL of a DTD that must never be fetched, for the external-entity inputs.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from typing import Literal

from tests.support.feedserver import RSS_TYPE
from tests.support.rawserver import head

#: Seconds between the bytes of the slow-loris inputs; the poll timeout of the test is longer, so only
#: a deadline on the whole exchange can end them.
TRICKLE_INTERVAL = 1.0
SIZE_CAP = 10_000_000
_XML = '<?xml version="1.0" encoding="utf-8"?>\n'
_CHANNEL = '<rss version="2.0"><channel><title>Hostile wire</title><link>https://hostile.test/</link>'
_GOOD_ITEM = (
    "<item><title>Harbour talks resume</title><guid>good-1</guid>"
    "<description>Negotiators met again in the harbour city.</description></item>"
)


@dataclass(frozen=True)
class Body:
    """A complete response from the FeedServer with this body and media type."""

    data: bytes
    content_type: str = RSS_TYPE


@dataclass(frozen=True)
class Raw:
    """Exactly these bytes from the RawServer, then the connection closes."""

    data: bytes


@dataclass(frozen=True)
class Trickle:
    """One byte every ``TRICKLE_INTERVAL`` from the RawServer: ``prefix``, then ``filler`` forever."""

    prefix: bytes
    filler: bytes


@dataclass(frozen=True)
class Status:
    """An empty response with this status from the FeedServer."""

    code: int


@dataclass(frozen=True)
class Redirect:
    """A redirect to ``location`` (``"loop"``: a two-step cycle on the FeedServer)."""

    location: str


@dataclass(frozen=True)
class Hang:
    """The FeedServer accepts the request and never answers."""


@dataclass(frozen=True)
class Drip:
    """The FeedServer sends headers, then a body byte every ``TRICKLE_INTERVAL``, forever."""


@dataclass(frozen=True)
class Huge:
    """The FeedServer streams ``size`` bytes (with or without Content-Length)."""

    size: int
    declare_length: bool = False


Serving = Body | Raw | Trickle | Status | Redirect | Hang | Drip | Huge


@dataclass(frozen=True)
class HostileInput:
    """One input of the corpus and what Vigil must make of it."""

    name: str
    serving: Serving
    outcome: Literal["failed", "partial"]
    reason: str  # a fragment of the recorded reason (failed) or problem (partial; "" accepts none)


def build_corpus(secret_path: str, dtd_url: str) -> list[HostileInput]:
    """Every hostile input, in a stable order."""
    return [
        *_broken_documents(),
        *_encodings(),
        *_entity_attacks(secret_path, dtd_url),
        *_sizes_and_shapes(),
        *_not_feeds(),
        *_transport(),
    ]


def _feed(*items: str, prolog: str = "") -> str:
    return _XML + prolog + _CHANNEL + "".join(items) + "</channel></rss>"


def _broken_documents() -> list[HostileInput]:
    # The body ends inside the second entry: the first is read, the cut one is left out.
    cut = _XML + _CHANNEL + _GOOD_ITEM + "<item><title>Second story</title><guid>cut-2</guid><description>Kyi"
    return [
        HostileInput("truncated-mid-entry", Body(cut.encode()), "partial", "truncated, its last entry was left out"),
        HostileInput("truncated-before-entries", Body((_XML + _CHANNEL + "<ite").encode()), "failed", "truncated"),
        HostileInput(
            "unclosed-everything", Body(_feed(_GOOD_ITEM, "<item><title>a<b><c>d").encode()), "partial", "malformed XML"
        ),
    ]


def _encodings() -> list[HostileInput]:
    latin = _feed(_GOOD_ITEM.replace("harbour city", "harbour city of Tromsø")).replace("utf-8", "iso-8859-1")
    return [
        # The header says UTF-8, the bytes are Latin-1 (and the XML declaration says so).
        HostileInput("declared-utf8-actual-latin1", Body(latin.encode("latin-1")), "partial", "encoding"),
        # The XML declaration says UTF-16, the bytes are UTF-8.
        HostileInput(
            "declared-utf16-actual-utf8",
            Body(_feed(_GOOD_ITEM).replace("utf-8", "utf-16").encode(), "application/rss+xml"),
            "partial",
            "encoding",
        ),
        # Bytes that are not UTF-8 at all in a document declaring UTF-8.
        HostileInput(
            "invalid-utf8-bytes",
            Body(_feed(_GOOD_ITEM).encode().replace(b"Negotiators", b"Negoti\xff\xfe\xc3tors")),
            "partial",
            "encoding",
        ),
        HostileInput(
            "unknown-charset",
            Body(
                _feed(_GOOD_ITEM).replace("utf-8", "x-no-such-charset").encode(),
                "application/rss+xml; charset=x-no-such-charset",
            ),
            "partial",
            "encoding",
        ),
    ]


def _entity_attacks(secret_path: str, dtd_url: str) -> list[HostileInput]:
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    billion = _feed(
        _GOOD_ITEM.replace("Harbour talks resume", "&lol9;"),
        prolog=f'<!DOCTYPE rss [\n<!ENTITY lol0 "lol">\n{laughs}]>\n',
    )
    # One plain 50 KB entity used 50,000 times: 2.5 GB if expanded (feedparser's fallback parser did).
    quadratic = _feed(
        f"<item><title>Blow-up</title><guid>q</guid><description>{'&big;' * 50_000}</description></item>",
        prolog=f'<!DOCTYPE rss [\n<!ENTITY big "{"x" * 50_000}">\n]>\n',
    )
    xxe = _feed(
        _GOOD_ITEM.replace("Negotiators met", "Negotiators &xxe; met"),
        prolog=f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{secret_path}">\n]>\n',
    )
    parameter = _feed(_GOOD_ITEM, prolog=f'<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "file://{secret_path}">\n%p;\n]>\n')
    external_dtd = _feed(
        _GOOD_ITEM.replace("Negotiators met", "Negotiators &remote; met"), prolog=f'<!DOCTYPE rss SYSTEM "{dtd_url}">\n'
    )
    utf16 = quadratic.replace("utf-8", "utf-16").encode("utf-16")
    return [
        HostileInput("billion-laughs", Body(billion.encode()), "partial", "entity declarations ignored"),
        HostileInput("quadratic-blowup", Body(quadratic.encode()), "partial", "entity declarations ignored"),
        HostileInput("quadratic-blowup-utf16", Body(utf16, "application/rss+xml"), "failed", "UTF-16"),
        HostileInput("xxe-local-file", Body(xxe.encode()), "partial", "entity declarations ignored"),
        HostileInput("xxe-parameter-entity", Body(parameter.encode()), "partial", "entity declarations ignored"),
        HostileInput("external-dtd", Body(external_dtd.encode()), "partial", "undefined entity"),
    ]


def _sizes_and_shapes() -> list[HostileInput]:
    deep = _feed(
        _GOOD_ITEM, "<item><title>Deep</title><guid>deep</guid>" + "<a>" * 40_000 + "</a>" * 40_000 + "</item>"
    )
    tag_flood = _feed(
        _GOOD_ITEM, "<item><title>Flood</title><description>" + "<x/>" * 1_000_000 + "</description></item>"
    )
    huge_entry = _feed(
        _GOOD_ITEM,
        f"<item><title>Long read</title><guid>long</guid><description>"
        f"{'All quiet in the harbour today. ' * 60_000}</description></item>",
    )
    return [
        HostileInput("deeply-nested", Body(deep.encode()), "partial", ""),
        HostileInput("tag-flood", Body(tag_flood.encode()), "failed", "too much markup"),
        HostileInput("huge-entry", Body(huge_entry.encode()), "partial", "left out: over the 1000000 limit"),
        HostileInput("huge-response-chunked", Huge(50_000_000), "failed", f"larger than {SIZE_CAP} bytes"),
        HostileInput("huge-response-declared", Huge(50_000_000, declare_length=True), "failed", "larger than"),
    ]


def _not_feeds() -> list[HostileInput]:
    noise = random.Random(7).randbytes(300_000)
    page = "<!DOCTYPE html><html><head><title>Newsroom</title></head><body><p>Latest stories</p></body></html>"
    return [
        HostileInput("binary-octet-stream", Body(noise, "application/octet-stream"), "failed", "not a feed"),
        HostileInput("binary-labelled-rss", Body(noise), "failed", "not a feed"),
        HostileInput("html-page", Body(page.encode(), "text/html; charset=utf-8"), "failed", "text/html"),
        HostileInput(
            "json-document", Body(b'{"items": [{"title": "not a feed"}]}', "application/json"), "failed", "not a feed"
        ),
        HostileInput("empty-200", Body(b""), "failed", "empty response"),
        HostileInput("whitespace-200", Body(b" \n\t " * 1000), "failed", "empty response"),
        HostileInput("no-content-204", Status(204), "failed", "empty response"),
    ]


def _bomb(wbits: int, size: int) -> bytes:
    """``size`` spaces compressed (gzip or zlib by ``wbits``), built a megabyte at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b" " * 1_000_000
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + compressor.flush()


def _transport() -> list[HostileInput]:
    bomb = _bomb(zlib.MAX_WBITS | 16, 3 * SIZE_CAP)  # 30 KB on the wire, three times the cap inflated
    deflate = _bomb(zlib.MAX_WBITS, 2 * SIZE_CAP)
    rss = {"Content-Type": RSS_TYPE}
    return [
        HostileInput("redirect-loop", Redirect("loop"), "failed", "too many redirects"),
        HostileInput("redirect-to-file", Redirect("file:///etc/passwd"), "failed", "unsupported URL scheme 'file'"),
        HostileInput("redirect-to-ftp", Redirect("ftp://127.0.0.1/feed.xml"), "failed", "unsupported URL scheme"),
        HostileInput(
            "slow-loris-headers", Trickle(b"HTTP/1.1 200 OK\r\n", b"X-Slow: still-coming\r\n"), "failed", "timed out"
        ),
        HostileInput("slow-loris-body", Drip(), "failed", "timed out"),
        HostileInput("never-answers", Hang(), "failed", "timed out"),
        HostileInput(
            "gzip-bomb",
            Raw(head(200, {**rss, "Content-Encoding": "gzip", "Content-Length": str(len(bomb))}) + bomb),
            "failed",
            f"larger than {SIZE_CAP} bytes",
        ),
        HostileInput(
            "deflate-bomb-chunked",
            Raw(head(200, {**rss, "Content-Encoding": "deflate", "Connection": "close"}) + deflate),
            "failed",
            "larger than",
        ),
        HostileInput(
            "corrupt-gzip",
            Raw(
                head(200, {**rss, "Content-Encoding": "gzip", "Content-Length": "4000"})
                + b"\x1f\x8b\x08\x00"
                + random.Random(3).randbytes(3996)
            ),
            "failed",
            "could not be decoded",
        ),
        HostileInput(
            "brotli-unasked",
            Raw(head(200, {**rss, "Content-Encoding": "br", "Content-Length": "3"}) + b"abc"),
            "failed",
            "unsupported content-encoding",
        ),
        HostileInput(
            "not-http", Raw(b"SSH-2.0-OpenSSH_9.2\r\nBanner: \x00\x01\r\n\r\n"), "failed", "invalid HTTP response"
        ),
        HostileInput(
            "header-flood",
            Raw(b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"a" * 200_000 + b"\r\n\r\n"),
            "failed",
            "invalid HTTP response",
        ),
        HostileInput(
            "bad-chunk-size",
            Raw(head(200, {**rss, "Transfer-Encoding": "chunked"}) + b"fffffffffffffffffff\r\n<rss>"),
            "failed",
            "closed the connection",
        ),
        HostileInput(
            "length-longer-than-body",
            Raw(head(200, {**rss, "Content-Length": "100000"}) + _feed(_GOOD_ITEM).encode()),
            "failed",
            "closed the connection",
        ),
    ]
