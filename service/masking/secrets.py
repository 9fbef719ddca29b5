"""What a secret looks like: the one list of secret-looking keys, and the shape of generated tokens."""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"

#: Query keys (and header names) whose values are credentials, whatever the service. One list for every
#: place that masks: feed URLs, apprise URLs and log lines.
SECRET_KEY = re.compile(r"token|key|secret|pass|pwd|auth|sig|cred|session|bearer|hook", re.IGNORECASE)

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


#: Query keys of feed URLs whose values are known to be harmless to show (formats, languages, paging,
#: search terms, sections). Every other value is masked when a feed URL is shown: a key nobody listed may
#: be an access code of a private feed (``?s=``, ``?u=``, ``?x=``), and one masked value too many costs
#: nothing, one shown too many leaks.
HARMLESS_QUERY_KEYS = frozenset({
    "format", "fmt", "type", "kind", "output", "feed", "rss", "atom", "view", "v", "version",
    "lang", "language", "locale", "hl", "gl", "ceid", "region", "country", "edition",
    "page", "per_page", "perpage", "limit", "count", "num", "n", "size", "offset", "start", "since",
    "category", "cat", "categories", "tag", "tags", "topic", "topics", "section", "channel", "author",
    "q", "query", "search", "keyword", "keywords", "sort", "order", "orderby",
})


def is_harmless_key(key: str) -> bool:
    """Whether a feed URL's query ``key`` is one whose value may be shown (see HARMLESS_QUERY_KEYS)."""
    return key.lower() in HARMLESS_QUERY_KEYS and not is_secret_key(key)


def is_secret_key(key: str) -> bool:
    """Whether a query key or header name names a credential (``apikey``, ``X-Auth-Token``, ``sig``)."""
    return SECRET_KEY.search(key) is not None


def looks_like_token(piece: str) -> bool:
    """Whether a URL piece (a path part, a host label, a value) looks like a generated secret.

    Long runs mixing letters and digits, or very long runs of anything token-safe: the shape of API
    keys, webhook ids and random topic names, not of words, hosts or numeric chat ids.
    """
    piece = unquote(piece)
    if MASK in piece or "..." in piece or "****" in piece or ENV_REF.search(piece):
        return False
    if not re.fullmatch(r"[A-Za-z0-9_\-.~+=:]+", piece):
        return False
    has_letter = any(c.isalpha() for c in piece)
    has_digit = any(c.isdigit() for c in piece)
    if len(piece) >= 24 and has_letter and "." not in piece:
        return True
    return len(piece) >= 12 and has_letter and has_digit and "." not in piece
