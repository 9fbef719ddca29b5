"""What a secret looks like: the one list of secret-looking keys, and the shape of generated tokens."""

from __future__ import annotations

import re
from urllib.parse import unquote

MASK = "***"

#: Query keys (and header names) whose values are credentials, whatever the service. One list for every
#: place that masks: feed URLs, apprise URLs and log lines.
SECRET_KEY = re.compile(r"token|key|secret|pass|pwd|auth|sig|cred|session|bearer|hook", re.IGNORECASE)

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")


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
