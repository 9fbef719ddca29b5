"""Reading a fetched web page as entries: one per block its CSS selector matches (``kind: page`` sources).

A statements page has no feed, but it has blocks (an ``article``, a ``div.statement``) that a selector
picks out. Each block becomes a ``FeedEntry``, so the rest of Vigil (new or revised, extraction,
alerts) treats it as a feed entry:

- its id is the block's first link (absolute, http or https) when no earlier block has that link, else
  a hash of its normalised text; a block that keeps its link keeps its id when its text is edited, and
  the edit is a revision;
- its title is its first heading (``h1``-``h6``), its text the rest of the block as plain text (escaped,
  so that extraction reads it as it would a feed's HTML), a line per block-level element;
- its date is the first ``<time datetime>`` inside it, else none (the poll time).

Hostile pages meet the limits hostile feeds do: the fetch's size cap and deadline, a markup scan before
parsing (``markup_limits``), at most ``MAX_BLOCKS`` blocks and ``MAX_ENTRY_CHARS`` characters a block.
The parser never fetches anything a page refers to (frames, scripts, images, styles).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from service.masking.feed_urls import hide_feed_secrets, without_userinfo
from service.sources.fetch import FetchResult
from service.sources.markup_limits import MarkupRefused, check_markup
from service.sources.parse import MAX_ENTRY_CHARS, FeedEntry, FeedError, ParsedFeed, content_hash

#: Blocks read from one page; more are left out (and said so): no statements page lists thousands.
MAX_BLOCKS = 500
_TITLE_CHARS = 300
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "iframe", "object", "svg", "math", "-comment"})
_BLOCK = frozenset({
    "p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "blockquote", "section",
    "article", "header", "footer", "figcaption", "ul", "ol", "dl", "dt", "dd", "table", "hr", "pre", "main",
    "aside", "nav", "address", "figure", "details", "summary",
})
_HEADINGS = "h1, h2, h3, h4, h5, h6"
_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
# Media types that are not a page at all; anything else (text/html, xhtml, none given) is parsed.
_NOT_A_PAGE = re.compile(r"^(image|audio|video|font)/|^application/(pdf|zip|gzip|octet-stream|json)$")


@dataclass(frozen=True)
class _Block:
    link: str
    title: str
    text: str
    published: datetime | None


def parse_page(
    result: FetchResult, selector: str, *, max_blocks: int = MAX_BLOCKS, max_entry_chars: int = MAX_ENTRY_CHARS
) -> ParsedFeed:
    """The blocks of a fetched page as entries; raise ``FeedError`` when the response is not a page.

    A page the selector matches nothing on parses to no entries, with ``problem`` saying so: the page's
    layout may have changed, and nothing it showed before is taken back. A 304 parses to no entries.
    """
    if result.not_modified:
        return ParsedFeed(entries=())
    media_type = (result.content_type or "").split(";")[0].strip().lower()
    if _NOT_A_PAGE.search(media_type):
        raise FeedError(f"not a web page: the server sent {media_type}")
    if not result.body.strip():
        raise FeedError("empty response: no page in it")
    text = _decoded(result)
    try:
        check_markup(text)
    except MarkupRefused as error:
        raise FeedError(error.reason) from error
    try:
        found = LexborHTMLParser(text).css(selector)
    except (SelectolaxError, ValueError) as error:  # vigil check refuses such selectors; an old log may not
        raise FeedError(f"selector {selector!r} could not be used ({error})") from error
    problems = []
    if not found:
        problems.append(
            f"selector {selector!r} matched nothing on the page: its layout may have changed "
            "(no entry was taken back; check the selector)"
        )
    if len(found) > max_blocks:
        problems.append(f"{len(found)} blocks matched, only the first {max_blocks} were read")
        found = found[:max_blocks]
    base = without_userinfo(result.content_location or result.url)
    blocks = [_block(node, base) for node in found]
    # "#statement-3" resolved against https://site/statements?key=SECRET keeps the key: mask it, as in
    # every place the page's URL is shown, before the link reaches the log, alerts and pages.
    blocks = [replace(block, link=hide_feed_secrets(block.link, result.url)) for block in blocks]
    entries, oversized = _entries(blocks, max_entry_chars)
    if oversized:
        problems.append(f"{oversized} block(s) over the {max_entry_chars}-character limit left out")
    return ParsedFeed(entries=tuple(entries), problem="; ".join(problems) or None, version="html")


def _decoded(result: FetchResult) -> str:
    """The page as text: a byte-order mark first, then the charset the server named, then the one the
    page declares in its first 1024 bytes (as the HTML Standard looks), else UTF-8."""
    body = result.body
    for mark, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if body.startswith(mark):
            return body.decode(codec, errors="replace")
    named = _CHARSET.search((result.content_type or "").encode("latin-1", errors="replace"))
    declared = named or _META_CHARSET.search(body[:1024])
    if declared:
        try:
            return body.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return body.decode("utf-8", errors="replace")


def _entries(blocks: list[_Block], max_entry_chars: int) -> tuple[list[FeedEntry], int]:
    entries: list[FeedEntry] = []
    links: set[str] = set()
    oversized = 0
    for block in blocks:
        if not (block.title or block.text or block.link):
            continue
        if len(block.title) + len(block.text) > max_entry_chars:
            oversized += 1
            continue
        # A link shared with an earlier block ("Read more" to one page) cannot tell the blocks apart.
        by_link = bool(block.link) and block.link not in links
        links.add(block.link)
        text_id = "sha256:" + content_hash(block.title, block.text, "")
        entries.append(
            FeedEntry(
                guid=block.link if by_link else text_id,
                link=block.link,
                title=block.title,
                text=block.text,
                published=block.published,
                content_hash=content_hash(block.title, block.text, block.link),
            )
        )
    return entries, oversized


def _block(node: LexborNode, base: str) -> _Block:
    heading = node.css_first(_HEADINGS)
    title = _clean(heading.text(separator=" ")) if heading is not None else ""
    lines = _lines(node, skip=heading)
    anchor = node.css_first("a[href]")
    link = _web_link(urljoin(base, (anchor.attributes.get("href") or "").strip())) if anchor is not None else ""
    stamp = node.css_first("time[datetime]")
    published = _published(stamp.attributes.get("datetime")) if stamp is not None else None
    return _Block(link=link, title=title[:_TITLE_CHARS], text=html.escape("\n".join(lines), quote=False),
                  published=published)


def _lines(root: LexborNode, *, skip: LexborNode | None) -> list[str]:
    """The text under ``root``, a line per block-level element; iterative, as pages may nest deep."""
    parts: list[str] = []
    pending: list[LexborNode | None] = [root]  # None marks the end of a block-level element
    while pending:
        node = pending.pop()
        if node is None:
            parts.append("\n")
            continue
        tag = node.tag or ""
        if tag == "-text":
            parts.append(node.text(deep=False) or "")
            continue
        if tag in _SKIPPED or (skip is not None and node.mem_id == skip.mem_id):
            continue
        if tag in _BLOCK:
            parts.append("\n")
            pending.append(None)
        pending.extend(reversed(list(node.iter(include_text=True))))
    return [line for line in (_clean(part) for part in "".join(parts).split("\n")) if line]


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub("", text).split())


def _web_link(link: str) -> str:
    """Only absolute http(s) links travel into alerts: a ``javascript:`` or ``data:`` one never does."""
    scheme, _, rest = link.partition(":")
    return link if scheme.lower() in ("http", "https") and rest.startswith("//") else ""


def _published(value: str | None) -> datetime | None:
    """A ``<time datetime>`` value as a moment (UTC when it names no offset); None if unreadable."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
