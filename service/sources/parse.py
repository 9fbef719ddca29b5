"""Parsing fetched bytes into feed entries with feedparser, and deciding whether there is a feed at all.

feedparser's ``bozo`` flag is not the whole story (DESIGN.md, known pitfalls): an empty body is not
bozo, HTML is, and a malformed feed may still carry good entries. The rule here: entries found are
used, with the parser's complaint kept as ``problem``; no entries and no recognisable feed is a
``FeedError``; a well-formed feed with no items is simply empty. A truncated document loses its
last entry (it may be cut short), and entries with no title, text or link are dropped.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.parsers.expat import errors as expat_errors

import feedparser

from service.sources.fetch import FetchResult

_PROBLEM_LIMIT = 200
# Expat's messages for a document that stops before its end.
_EARLY_END = frozenset({
    expat_errors.XML_ERROR_NO_ELEMENTS, expat_errors.XML_ERROR_UNCLOSED_TOKEN,
    expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION, expat_errors.XML_ERROR_PARTIAL_CHAR,
})


class FeedError(Exception):
    """The response holds no usable feed; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, as the rest of Vigil sees it."""

    guid: str
    link: str
    title: str
    text: str  # HTML as the feed gave it (sanitised by feedparser); extraction strips tags
    published: datetime | None  # UTC; None when the feed gives no date or one we cannot read
    content_hash: str  # sha256 of normalised title, text and link: equal across polls if unchanged


@dataclass(frozen=True)
class ParsedFeed:
    """The entries of one feed, and what was wrong with it if it was not clean."""

    entries: tuple[FeedEntry, ...]
    problem: str | None = None
    version: str = ""  # feedparser's name for the format: "rss20", "atom10", ...


def parse_feed(result: FetchResult) -> ParsedFeed:
    """Parse the body of a successful fetch; raise ``FeedError`` when it holds no usable feed.

    A 304 (not modified) parses to no entries: nothing in it is new.
    """
    if result.not_modified:
        return ParsedFeed(entries=())
    if not result.body.strip():
        raise FeedError("empty response: no feed in it")
    try:
        # resolve_relative_uris=False: rewriting every href inside the entries' HTML doubles the
        # parse time, and extraction strips that HTML; entry links are still made absolute.
        parsed = feedparser.parse(io.BytesIO(result.body), response_headers=_response_headers(result),
                                  resolve_relative_uris=False)
    except Exception as error:  # feedparser has many internal failure paths; none may escape as a traceback
        raise FeedError(f"feed parser failed ({type(error).__name__}: {_one_line(str(error))})") from error
    complaint = parsed.get("bozo_exception") if parsed.get("bozo") else None
    problem = None if complaint is None else _describe(complaint)
    version = parsed.get("version") or ""
    raw_entries = list(parsed.get("entries") or [])
    if _truncated(complaint):
        if raw_entries:
            # The entry being read when the document ended may be cut mid-sentence ("agreed to be"
            # without "postponed"): reading it could raise a false alert. The next whole poll has it.
            raw_entries.pop()
            problem = f"feed is truncated, its last entry was left out ({problem})"
        else:
            problem = f"feed is truncated ({problem})"
    entries = tuple(entry for entry in map(_entry, raw_entries) if entry.title or entry.text or entry.link)
    if not entries and (not version or problem):
        raise FeedError(_no_feed_reason(complaint, problem, version, result))
    return ParsedFeed(entries=entries, problem=problem, version=version)


def content_hash(title: str, text: str, link: str) -> str:
    """sha256 over the normalised fields, so whitespace or Unicode-form noise is not a revision."""
    joined = "\x1f".join(_normalise(part) for part in (title, text, link))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _response_headers(result: FetchResult) -> dict[str, str]:
    headers = {
        "content-type": result.content_type,
        # feedparser resolves relative links against content-location; the final URL is the base
        # when the server gives none.
        "content-location": result.content_location or result.url,
        "content-language": result.content_language,
    }
    return {name: value for name, value in headers.items() if value}


def _entry(raw: Mapping[str, Any]) -> FeedEntry:
    title = _text(raw.get("title"))
    text = _body(raw)
    link = _text(raw.get("link"))
    guid = _text(raw.get("id")) or link or "sha256:" + content_hash(title, text, "")
    return FeedEntry(
        guid=guid, link=link, title=title, text=text, published=_published(raw),
        content_hash=content_hash(title, text, link),
    )


def _body(raw: Mapping[str, Any]) -> str:
    # Full content (content:encoded, atom:content) beats the summary/description when both exist.
    for part in raw.get("content") or []:
        value = _text(part.get("value"))
        if value:
            return value
    return _text(raw.get("summary"))


def _published(raw: Mapping[str, Any]) -> datetime | None:
    # feedparser sets *_parsed to None, with bozo still false, for dates it cannot read.
    # dict.get, not raw.get: FeedParserDict maps missing keys onto others (with a deprecation
    # warning), and the fallback order is ours to choose.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(raw, key)  # type: ignore[arg-type]
        if parsed is None:
            continue
        try:
            year, month, day, hour, minute, second = tuple(parsed)[:6]
            return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            continue
    return None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _truncated(error: object) -> bool:
    """True when the XML parser failed because the document ended early."""
    return isinstance(error, xml.sax.SAXParseException) and error.getMessage() in _EARLY_END


def _describe(error: object) -> str:
    """A one-line account of what feedparser disliked."""
    if error is None:
        return "feed is not well-formed"
    if isinstance(error, feedparser.NonXMLContentType):
        return f"not served as a feed ({_one_line(str(error))})"
    if isinstance(error, feedparser.CharacterEncodingOverride):
        return f"wrong character encoding declared ({_one_line(str(error))})"
    if isinstance(error, feedparser.CharacterEncodingUnknown):
        return f"unknown character encoding ({_one_line(str(error))})"
    if isinstance(error, xml.sax.SAXParseException):
        where = f"line {error.getLineNumber()}, column {error.getColumnNumber()}"
        return f"malformed XML at {where}: {_one_line(error.getMessage())}"
    return f"{type(error).__name__}: {_one_line(str(error))}"


def _no_feed_reason(error: object, problem: str | None, version: str, result: FetchResult) -> str:
    if isinstance(error, feedparser.NonXMLContentType):
        media_type = (result.content_type or "").split(";")[0].strip() or "a non-XML document"
        return f"not a feed: the server sent {media_type}"
    if problem is None:
        return "not a feed: no RSS or Atom content found"
    if version:  # the feed started well, then broke before its first entry
        return f"no entries could be read: {problem}"
    return f"not a feed: {problem}"


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= _PROBLEM_LIMIT else line[: _PROBLEM_LIMIT - 3] + "..."
