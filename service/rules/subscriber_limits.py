"""What a subscriber's name and URL list may hold, wherever the subscriber is declared.

A name is printed on its own line by ``vigil subscribe list``, in logs and on the dashboard: a control
character or line break in it could forge lines there, so none is allowed. The number of URLs is capped
so that one declaration cannot fan a single alert out into thousands of sends.
"""

from __future__ import annotations

import unicodedata

#: At most this many URLs per subscriber (rule files, ``vigil subscribe add`` and the HTTP API alike).
MAX_URLS = 20
#: At most this many characters in a subscriber's name.
MAX_NAME = 200


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a subscriber (one line, the name shown escaped), or None if it can."""
    if not name.strip():
        return "subscriber name is empty"
    if len(name) > MAX_NAME:
        return f"subscriber name is longer than {MAX_NAME} characters"
    for char in name:
        # Cc: control characters (line breaks, escape, NUL); Cf: format characters (bidi overrides);
        # Zl/Zp: the Unicode line and paragraph separators.
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"subscriber name {name!r} holds a control character or line break (U+{ord(char):04X})"
    return None


def urls_problem(urls: list[str]) -> str | None:
    """Why a subscriber cannot have these URLs as a list (too many), or None."""
    if len(urls) > MAX_URLS:
        return f"a subscriber may have at most {MAX_URLS} URLs ({len(urls)} given)"
    return None
