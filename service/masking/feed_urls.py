"""Feed URLs and poll errors made safe to show: no password, no secret-looking query values."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from service.masking.secrets import MASK, is_harmless_key, looks_like_token


def without_userinfo(url: str) -> str:
    """``url`` without ``user:password@``: the base that relative links of a feed are resolved against.

    A link resolved against the feed's own URL would otherwise carry the feed's credentials into the
    log, every alert and every page that shows the evidence.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, parts.query, parts.fragment))


def public_feed_url(url: str) -> str:
    """A feed URL safe to show: no password, and ``***`` for every query value except those of keys known
    to be harmless (``?format=rss&lang=uk`` stay; ``?s=x``, ``?apikey=x`` become ``***``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    host = parts.netloc.rpartition("@")[2]
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    netloc = f"{user}:{MASK}@{host}" if user else host
    pairs = []
    for pair in parts.query.split("&") if parts.query else []:
        key, has_value, value = pair.partition("=")
        if has_value and value and (not is_harmless_key(key) or looks_like_token(value)):
            value = MASK
        pairs.append(f"{key}={value}" if has_value else key)
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pairs), parts.fragment))


def hide_feed_secrets(message: str, url: str) -> str:
    """``message`` (a poll error) with the secret parts of the feed ``url`` masked wherever they occur."""
    for secret in hidden_feed_pieces(url):
        message = message.replace(secret, MASK)
    return message.replace(url, public_feed_url(url))


def hidden_feed_pieces(url: str) -> list[str]:
    """The pieces of the feed ``url`` that ``public_feed_url`` hides, longest first."""
    shown = public_feed_url(url)
    return [secret for secret in _feed_secrets(url) if secret not in shown]


def _feed_secrets(url: str) -> list[str]:
    try:
        parts = urlsplit(url)
    except ValueError:
        return [url]
    secrets = [parts.netloc.rpartition("@")[0]] if "@" in parts.netloc else []
    secrets += [pair.partition("=")[2] for pair in parts.query.split("&") if pair]
    # Longest first, so a secret that contains another is masked whole.
    return sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)
