"""From an entry's HTML to plain, normalised text: tags stripped, quotes, dashes and spaces made uniform."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "blockquote",
               "section", "article", "header", "footer", "figcaption", "ul", "ol", "table", "hr", "pre"}
_SKIPPED_TAGS = {"script", "style", "noscript", "template"}
_TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u02bc": "'",  # the Ukrainian apostrophe ("перемирʼя")
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": " - ", "\u2014": " - ", "\u2015": " - ", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "\u200b": "", "\u00ad": "",
    "\ufeff": "",
})
_SPACES = re.compile(r"\s+")
# An en dash between two words or numbers joins them ("Ukraine–Russia talks", "12–13 June"); a spaced
# one, or an em dash, sets off a remark.
_JOINING_DASH = re.compile(r"(?<=\w)\u2013(?=\w)")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            # A block boundary ends a sentence even when the markup carries no full stop.
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skip:
            self._skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def strip_html(markup: str) -> str:
    """The text of an HTML fragment; block elements become line breaks."""
    if "<" not in markup:
        return html.unescape(markup)
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return "".join(collector.parts)


def normalise(text: str) -> str:
    """Curly quotes to straight, dashes to ' - ', every run of white space to one space (lines kept)."""
    lines = _JOINING_DASH.sub("-", text).translate(_TRANSLATE).split("\n")
    return "\n".join(_SPACES.sub(" ", line).strip() for line in lines if line.strip())
