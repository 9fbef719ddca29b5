"""One filter on the root log handler that masks secrets in every record, at every level.

Libraries log what they see: urllib3 logs a webhook's path and query at DEBUG, a server may echo a
signed URL in its reason phrase, an exception may quote a connection string. Masking at each call site
misses those, so the daemon's one handler masks every record that reaches it: credentials in URLs
(``user:pass@``), values of secret-looking query keys (``?apikey=``, ``&sig=``), bearer tokens, and
every piece the operator's own secrets (subscriber and feed URLs with their variables filled in) hide.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

from service.masking.apprise_urls import hidden_pieces
from service.masking.feed_urls import hidden_feed_pieces
from service.masking.secrets import MASK, SECRET_KEY

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,31}://)([^\s:/@?#]+):([^\s@/?#]+)@")
_SECRET_QUERY = re.compile(
    r"([?&;])([\w.+:-]*(?:" + SECRET_KEY.pattern + r")[\w.+:-]*=)([^&;\s\"'<>#]+)", re.IGNORECASE
)
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)([A-Za-z0-9._~+/=-]{8,})")
# Attributes every LogRecord has; the others are a call's ``extra=`` fields, which formatters print.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def mask_text(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with URL credentials, secret query values, bearer tokens and each ``known`` secret masked."""
    for secret in known:
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:{MASK}@", text)
    text = _SECRET_QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)


class SecretMaskingFilter(logging.Filter):
    """Masks the message, the ``extra=`` fields and the traceback of every record it sees."""

    def __init__(self) -> None:
        super().__init__()
        self._known: tuple[str, ...] = ()

    def remember(self, apprise_urls: Iterable[str] = (), feed_urls: Iterable[str] = ()) -> None:
        """Mask, from now on, every piece that these URLs (variables filled in) hide when shown."""
        pieces = {piece for url in apprise_urls if url for piece in hidden_pieces(url)}
        pieces |= {piece for url in feed_urls if url for piece in hidden_feed_pieces(url)}
        self._known = tuple(sorted(pieces, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` with its secrets masked; never drops a record."""
        message = record.getMessage()
        masked = mask_text(message, self._known)
        if masked != message:
            record.msg, record.args = masked, None
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_text(value, self._known))
        if record.exc_info and record.exc_info[1] is not None:
            # Formatted here, masked, and kept as the record's exception text: an exception's message can
            # quote a URL or a connection string.
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text, record.exc_info = mask_text(text, self._known), None
        return True


def remember_secrets(apprise_urls: Iterable[str] = (), feed_urls: Iterable[str] = ()) -> None:
    """Tell the masking filter on the root log handlers about the operator's secrets (rules loaded)."""
    apprise_urls, feed_urls = list(apprise_urls), list(feed_urls)
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, SecretMaskingFilter):
                found.remember(apprise_urls, feed_urls)
