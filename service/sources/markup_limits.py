"""Refusing HTML that would hold the parser for minutes, before it is parsed.

The HTML parser (lexbor, through selectolax) walks its stack of open elements for many start tags, so
its time grows with the nesting depth times the number of tags: 30,000 nested ``<div>`` take seconds
and a million (5 MB) take hours, inside C code that no deadline can interrupt. Browsers cap the depth
of the tree they build (Chromium at 512); here a page whose elements would nest deeper than
``MAX_DEPTH``, or that holds more than ``MAX_TAGS`` tags, is refused with one line saying so.

The scan is an estimate made to err on the deep side: it follows end tags by name (an end tag that
closes nothing closes nothing, as in the parser), skips comments and the text of ``script``, ``style``
and their kin, and does not count the elements whose end tag HTML lets an author leave out (``p``,
``li``, ``td``...), which the parser closes by itself.
"""

from __future__ import annotations

import re
from collections import Counter

#: Deepest nesting accepted: twice what Chromium builds; a 400,000-tag page at this depth parses in ~1 s.
MAX_DEPTH = 1024
#: Tags ("<") a page may hold: several times a long article's page.
MAX_TAGS = 300_000

_TAG = re.compile(r"<(?:(!--)|(/?)([A-Za-z][A-Za-z0-9:-]*))")
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "param", "keygen", "basefont", "bgsound", "frame", "image", "isindex",
})
# Elements the parser closes when a sibling (or its parent's end) comes: they do not nest by themselves.
_SELF_CLOSING = frozenset({
    "p", "li", "dt", "dd", "option", "optgroup", "rb", "rt", "rp", "rtc", "tr", "td", "th", "thead", "tbody",
    "tfoot", "colgroup", "caption", "html", "head", "body",
})


class MarkupRefused(Exception):
    """The page is too deep or too large to parse safely; ``reason`` says which, in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_markup(page: str, *, max_depth: int = MAX_DEPTH, max_tags: int = MAX_TAGS) -> None:
    """Raise ``MarkupRefused`` when ``page`` has more than ``max_tags`` tags or nests deeper than ``max_depth``."""
    tags = page.count("<")
    if tags > max_tags:
        raise MarkupRefused(f"too much markup to parse: {tags} tags (limit {max_tags})")
    lowered = page.lower()
    open_elements: list[str] = []
    counts: Counter[str] = Counter()  # of open_elements: an end tag that closes nothing costs no walk
    position = 0
    while found := _TAG.search(page, position):
        position = found.end()
        if found.group(1):  # a comment runs to "-->", or to the end of the page
            end = page.find("-->", position)
            if end < 0:
                return
            position = end + 3
            continue
        name = found.group(3).lower()
        if found.group(2):
            if counts[name]:
                _close(open_elements, counts, name)
            continue
        if name in _RAW_TEXT:  # its text is not markup, up to its own end tag (or the end of the page)
            end = lowered.find(f"</{name}", position)
            if end < 0:
                return
            position = end
            continue
        if name in _VOID or name in _SELF_CLOSING:
            continue
        open_elements.append(name)
        counts[name] += 1
        if len(open_elements) > max_depth:
            raise MarkupRefused(f"markup nested too deep to parse: more than {max_depth} levels")


def _close(open_elements: list[str], counts: Counter[str], name: str) -> None:
    """Close the innermost open ``name`` and everything opened inside it (each element is closed once)."""
    while open_elements:
        closed = open_elements.pop()
        counts[closed] -= 1
        if closed == name:
            return
