"""Removing a feed's own entity declarations before feedparser sees them.

feedparser strips the DOCTYPE, but re-declares the entities it deems safe (a plain quoted value) and
expands them in its lenient fallback parser, with no limit: a 200 KB feed declaring one 50 KB entity
and using it 50,000 times became 2.5 GB of text (expat's own amplification limit only stops the strict
parser, whose failure is what sends the feed to the fallback). So every ``<!ENTITY ...>`` before the
root element goes, and references to it stay literal text, except the one use real feeds make of
them: naming a single character (``<!ENTITY nbsp "&#160;">``), which cannot grow anything.
"""

from __future__ import annotations

import re

# The alternatives start with distinct characters, so matching never backtracks; "<" ends an
# unterminated declaration at the next one, keeping a prolog full of them linear to scan.
_DECLARATION = re.compile(rb"<!ENTITY(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>")
_ROOT = re.compile(rb"<[A-Za-z_]")
_ONE_CHARACTER = re.compile(rb"<!ENTITY\s+[\w.-]+\s+([\"'])&#(?:[0-9]{1,7}|x[0-9a-fA-F]{1,6});\1\s*>")
# The same keyword in the encodings whose bytes the ASCII pattern above cannot see.
_WIDE = tuple("<!ENTITY".encode(codec) for codec in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))


class EntityDeclarationsRefused(Exception):
    """Entity declarations in an encoding they cannot be safely removed from."""


def strip_entity_declarations(body: bytes) -> tuple[bytes, bool]:
    """``body`` without the entity declarations of its prolog, and whether any were removed.

    Raises ``EntityDeclarationsRefused`` for a UTF-16 or UTF-32 document declaring entities.
    """
    if any(keyword in body for keyword in _WIDE):
        raise EntityDeclarationsRefused("entity declarations in a UTF-16 or UTF-32 document are not accepted")
    root = _ROOT.search(body)
    end = root.start() if root else len(body)
    head = body[:end]
    if b"<!ENTITY" not in head:
        return body, False
    removed = False

    def drop(declaration: re.Match[bytes]) -> bytes:
        nonlocal removed
        if _ONE_CHARACTER.fullmatch(declaration.group()):
            return declaration.group()
        removed = True
        return b""

    stripped = _DECLARATION.sub(drop, head)
    return (stripped + body[end:], True) if removed else (body, False)
