"""Parsing fetched bytes into feed entries with feedparser, and deciding whether there is a feed at all.

feedparser's ``bozo`` flag is not the whole story (DESIGN.md, known pitfalls): an empty body is not
bozo, HTML is, and a malformed feed may still carry good entries. The rule here: entries found are
used, with the parser's complaint kept as ``problem``; no entries and no recognisable feed is a
``FeedError``; a well-formed feed with no items is simply empty. A truncated document loses its
last entry (it may be cut short), and entries with no title, text or link are dropped.

feedparser's time grows with the markup it meets (tens of microseconds a tag, quadratically with
nesting depth), so a body with more tags and entities than ``MAX_MARKUP`` is refused before parsing:
within the 10 MB size cap, a flood of tags would otherwise hold a poll worker for minutes. An entry
longer than ``MAX_ENTRY_CHARS`` is left out (and said so): events are kept forever and read again on
every replay, and no news story is a million characters long. A feed's own entity declarations are
removed before parsing (``entity_declarations``), so entity bombs and external entities stay
unexpanded text and no local file or URL is ever read on a feed's behalf.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import re
import unicodedata
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.parsers.expat import errors as expat_errors

import feedparser

from service.masking.feed_urls import without_userinfo
from service.sources.entity_declarations import EntityDeclarationsRefused, strip_entity_declarations
from service.sources.fetch import FetchResult

_PROBLEM_LIMIT = 200
#: Tags and entity references ("<" and "&") a body may hold: ten times a heavy full-content feed, and
#: about 2 s of feedparser at worst on an idle 2-core machine (4-8 s on a loaded one).
MAX_MARKUP = 100_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Characters of title and text one entry may have.
MAX_ENTRY_CHARS = 1_000_000
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
    # In the UTC offset the feed wrote it in ("on Monday" is counted from the publisher's own day; UTC when
    # the feed names no offset); None when the feed gives no date or one we cannot read.
    published: datetime | None
    content_hash: str  # sha256 of normalised title, text and link: equal across polls if unchanged

    @property
    def published_offset_minutes(self) -> int | None:
        """Minutes east of UTC the feed dated the entry in; None when it gave no date."""
        offset = self.published.utcoffset() if self.published is not None else None
        return None if offset is None else int(offset.total_seconds() // 60)


@dataclass(frozen=True)
class ParsedFeed:
    """The entries of one feed, and what was wrong with it if it was not clean."""

    entries: tuple[FeedEntry, ...]
    problem: str | None = None
    version: str = ""  # feedparser's name for the format: "rss20", "atom10", ...


def parse_feed(
    result: FetchResult, *, max_markup: int = MAX_MARKUP, max_entry_chars: int = MAX_ENTRY_CHARS
) -> ParsedFeed:
    """Parse the body of a successful fetch; raise ``FeedError`` when it holds no usable feed.

    A 304 (not modified) parses to no entries: nothing in it is new.
    """
    if result.not_modified:
        return ParsedFeed(entries=())
    if not result.body.strip():
        raise FeedError("empty response: no feed in it")
    body, declared_entities = _safe_body(result.body, max_markup)
    try:
        # resolve_relative_uris=False: rewriting every href inside the entries' HTML doubles the
        # parse time, and extraction strips that HTML; entry links are still made absolute.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=_response_headers(result),
                                  resolve_relative_uris=False)
    except Exception as error:  # feedparser has many internal failure paths; none may escape as a traceback
        raise FeedError(f"feed parser failed ({type(error).__name__}: {_one_line(str(error))})") from error
    complaint = parsed.get("bozo_exception") if parsed.get("bozo") else None
    problem = None if complaint is None else _describe(complaint)
    if declared_entities:
        problem = "entity declarations ignored" + ("" if problem is None else f"; {problem}")
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
    oversized = [entry for entry in entries if len(entry.title) + len(entry.text) > max_entry_chars]
    if oversized:
        entries = tuple(entry for entry in entries if len(entry.title) + len(entry.text) <= max_entry_chars)
        left_out = _oversized_problem(oversized, max_entry_chars)
        problem = left_out if problem is None else f"{problem}; {left_out}"
    if not entries and (not version or problem):
        raise FeedError(_no_feed_reason(complaint, problem, version, result))
    return ParsedFeed(entries=entries, problem=problem, version=version)


def _safe_body(body: bytes, max_markup: int) -> tuple[bytes, bool]:
    """The body feedparser may be given, and whether entity declarations were removed from it."""
    markup = body.count(b"<") + body.count(b"&")
    if markup > max_markup:
        raise FeedError(f"too much markup to parse: {markup} tags and entities (limit {max_markup})")
    try:
        return strip_entity_declarations(body)
    except EntityDeclarationsRefused as error:
        raise FeedError(str(error)) from error


def content_hash(title: str, text: str, link: str) -> str:
    """sha256 over the normalised fields, so whitespace or Unicode-form noise is not a revision."""
    joined = "\x1f".join(_normalise(part) for part in (title, text, link))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def _response_headers(result: FetchResult) -> dict[str, str]:
    headers = {
        "content-type": result.content_type,
        # feedparser resolves relative links against content-location; the final URL is the base
        # when the server gives none. Never with the feed's credentials: a link resolved against
        # https://user:pass@host/feed would carry them into the log, every alert and every page.
        "content-location": without_userinfo(result.content_location or str(result.url)),
        "content-language": result.content_language,
    }
    return {name: value for name, value in headers.items() if value}


def _entry(raw: Mapping[str, Any]) -> FeedEntry:
    title = _text(raw.get("title"))
    text = _body(raw)
    given = _text(raw.get("link"))
    link = _web_link(given)
    guid = _text(raw.get("id")) or given or "sha256:" + content_hash(title, text, "")
    return FeedEntry(
        guid=guid, link=link, title=title, text=text, published=_published(raw),
        content_hash=content_hash(title, text, link),
    )


def _web_link(link: str) -> str:
    """``link`` if it is an absolute http(s) URL, else "": a feed's ``javascript:`` or ``data:`` link would
    otherwise travel into alerts, notifications and every page that shows the evidence."""
    scheme, _, rest = link.partition(":")
    return link if scheme.strip().lower() in ("http", "https") and rest.startswith("//") else ""


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
    for key in ("published", "updated", "created"):
        parsed = dict.get(raw, f"{key}_parsed")  # type: ignore[arg-type]
        if parsed is None:
            continue
        try:
            year, month, day, hour, minute, second = tuple(parsed)[:6]
            moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            continue
        return moment.astimezone(_publisher_zone(dict.get(raw, key), moment))  # type: ignore[arg-type]
    return None


def _publisher_zone(written: object, moment: datetime) -> timezone:
    """The UTC offset the feed wrote ``moment`` in: UTC when it wrote none, or one that does not agree
    with feedparser's reading of the same date (feedparser only keeps the UTC time)."""
    stamp = _written_time(written.strip()) if isinstance(written, str) else None
    offset = stamp.utcoffset() if stamp is not None else None
    if stamp is None or offset is None or abs(offset) >= timedelta(hours=24):
        return UTC
    if abs(stamp - moment) > timedelta(seconds=1):  # a date feedparser read differently: keep its reading
        return UTC
    return timezone(offset)


def _written_time(written: str) -> datetime | None:
    """The date as written, with its offset: RFC 822 (RSS) or ISO 8601 (Atom); None if neither."""
    try:
        return email.utils.parsedate_to_datetime(written)
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(written)
    except ValueError:
        return None


def _text(value: object) -> str:
    # Control characters XML forbids still come through character references and the lenient parser;
    # NUL cannot be stored in PostgreSQL JSON at all, so one "&#0;" would fail every poll of the feed.
    return _CONTROL.sub("", value).strip() if isinstance(value, str) else ""


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


def _oversized_problem(oversized: list[FeedEntry], limit: int) -> str:
    first = oversized[0]
    size = len(first.title) + len(first.text)
    more = f" and {len(oversized) - 1} more" if len(oversized) > 1 else ""
    return f"entry {_one_line(first.guid)!r} ({size} characters){more} left out: over the {limit} limit"


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
