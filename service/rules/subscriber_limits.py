"""What a subscriber's name and URL list may hold, wherever the subscriber is declared.

A name is printed on its own line by ``vigil subscribe list``, in logs and on the dashboard: a control
character or line break in it could forge lines there, so none is allowed. The number of URLs is capped
so that one declaration cannot fan a single alert out into thousands of sends.
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

#: At most this many URLs per subscriber (rule files, ``vigil subscribe add`` and the HTTP API alike).
MAX_URLS = 20
#: At most this many characters in a subscriber's name.
MAX_NAME = 200
#: A subscriber's ``group:`` window: from one second to one day (longer is a digest, not a group).
MAX_GROUP = timedelta(days=1)


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a subscriber (one line, the name shown escaped), or None if it can."""
    return line_problem("subscriber name", name, MAX_NAME)


def line_problem(label: str, value: str, limit: int) -> str | None:
    """Why ``value`` cannot be shown as one line of at most ``limit`` characters, or None if it can.

    ``label`` names the value in the message (``subscriber name``, ``silence reason``)."""
    if not value.strip():
        return f"{label} is empty"
    if len(value) > limit:
        return f"{label} is longer than {limit} characters"
    for char in value:
        # Cc: control characters (line breaks, escape, NUL); Cf: format characters (bidi overrides);
        # Zl/Zp: the Unicode line and paragraph separators.
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            return f"{label} {value!r} holds a control character or line break (U+{ord(char):04X})"
    return None


def group_problem(group: timedelta | None) -> str | None:
    """Why ``group`` cannot be a subscriber's grouping window, or None if it can (None: no grouping)."""
    if group is not None and not timedelta(seconds=1) <= group <= MAX_GROUP:
        return f"group must be from 1s to 1d (got {group.total_seconds():g}s)"
    return None


def urls_problem(urls: list[str]) -> str | None:
    """Why a subscriber cannot have these URLs as a list (too many), or None."""
    if len(urls) > MAX_URLS:
        return f"a subscriber may have at most {MAX_URLS} URLs ({len(urls)} given)"
    return None
