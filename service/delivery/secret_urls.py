"""Subscriber URLs that hold a secret are kept out of the log: sealed into ``subscriber_secrets`` and
recorded as a reference, ``${VIGIL_SECRET_<id>}``; unsealed only where a message is sent.

The one owner of ``subscriber_secrets``. That table is not a projection: nothing in the log could rebuild
it (that is the point), so a replay leaves it alone, and it is exported only when asked for loudly
(``vigil export --with-secrets``). A URL whose every hidden piece is an ``${ENV}`` reference already
keeps its secret in the environment and is recorded as written; any other URL that ``redact`` would
change is sealed. The reference's id is random, not derived from the URL, so the log gives no handle to
guess a short password with.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, text

from service.masking.apprise_urls import hidden_pieces, redact
from service.masking.secrets import ENV_REF

PREFIX = "VIGIL_SECRET_"
_SEALED = re.compile(r"^\$\{" + PREFIX + r"([0-9a-f]{16})\}$")
_INSERT = text("INSERT INTO subscriber_secrets (ref, url) VALUES (:ref, :url)")
_READ = text("SELECT ref, url FROM subscriber_secrets WHERE ref IN :refs").bindparams(
    bindparam("refs", expanding=True)
)
_COUNT = text("SELECT COUNT(*) FROM subscriber_secrets")
_ALL = text("SELECT ref, url FROM subscriber_secrets ORDER BY ref")
# A secret stays while a subscriber refers to it, or a delivery that may still be sent does.
_UNUSED = text(
    "DELETE FROM subscriber_secrets WHERE NOT EXISTS "
    "(SELECT 1 FROM subscribers s WHERE s.urls LIKE '%' || subscriber_secrets.ref || '%') "
    "AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.status IN ('pending', 'failed') "
    "AND d.url LIKE '%' || subscriber_secrets.ref || '%')"
)


class SealedSecretMissing(LookupError):
    """A sealed reference whose secret is not in this database (a store restored without its secrets)."""


@dataclass(frozen=True)
class SealedUrls:
    """A subscriber's URLs as the log records them (``stored``) and as anyone may see them (``shown``)."""

    stored: list[str]
    shown: list[str]


def holds_literal_secret(url: str) -> bool:
    """Whether ``url`` has a secret written out in it, rather than only in ``${ENV}`` references."""
    return any(not ENV_REF.search(piece) for piece in hidden_pieces(url))


def shown_event_data(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """An event's data as it may be shown: a v1 ``SubscriberAdded`` recorded its URLs as given, so any
    that holds a literal secret is shown redacted (the stored event is never rewritten)."""
    if event_type != "SubscriberAdded":
        return dict(data)
    return {**data, "urls": [redact(url) if holds_literal_secret(url) else url for url in data.get("urls", [])]}


def is_sealed(url: str) -> bool:
    """Whether ``url`` is a reference to a sealed secret."""
    return _SEALED.match(url) is not None


def seal(conn: Connection, urls: Sequence[str], reuse: Sequence[str] = ()) -> SealedUrls:
    """Seal each URL of ``urls`` that holds a literal secret; the references to record, and the shown forms.

    ``reuse``: references already recorded for this subscriber; one whose secret equals a URL is kept,
    so recording the same rules again changes nothing.
    """
    known = {url: ref for ref, url in zip(reuse, unsealed_or_refs(conn, reuse), strict=True) if is_sealed(ref)}
    stored = []
    for url in urls:
        if not holds_literal_secret(url):
            stored.append(url)
        elif url in known:
            stored.append(known[url])
        else:
            ref = secrets.token_hex(8)
            conn.execute(_INSERT, {"ref": ref, "url": url})
            stored.append(f"${{{PREFIX}{ref}}}")
    return SealedUrls(stored, [redact(url) for url in urls])


def unseal(conn: Connection, urls: Sequence[str]) -> list[str]:
    """``urls`` with each sealed reference replaced by its URL; SealedSecretMissing naming a lost one."""
    refs = [m.group(1) for m in map(_SEALED.match, urls) if m]
    if not refs:
        return list(urls)
    found = dict(conn.execute(_READ, {"refs": refs}).fetchall())
    result = []
    for url in urls:
        match = _SEALED.match(url)
        if match and match.group(1) not in found:
            raise SealedSecretMissing(
                f"the secret {url} is not in this database (restored without `vigil export --with-secrets`?)"
            )
        result.append(found[match.group(1)] if match else url)
    return result


def unsealed_or_refs(conn: Connection, urls: Sequence[str]) -> list[str]:
    """``unseal``, except that a lost secret stays a reference (so it compares unequal to any URL)."""
    try:
        return unseal(conn, urls)
    except SealedSecretMissing:
        return list(urls)


def forget_unused(conn: Connection) -> None:
    """Delete sealed secrets no subscriber refers to any more (a removed or changed subscriber's)."""
    conn.execute(_UNUSED)


def sealed_count(conn: Connection) -> int:
    """How many sealed secrets the database holds."""
    return int(conn.execute(_COUNT).scalar_one())


def all_sealed(conn: Connection) -> list[tuple[str, str]]:
    """Every sealed secret as (ref, url): for ``vigil export --with-secrets`` only."""
    return [(str(ref), str(url)) for ref, url in conn.execute(_ALL).fetchall()]


def restore_sealed(conn: Connection, rows: Sequence[tuple[str, str]]) -> None:
    """Put back sealed secrets read from an export made with ``--with-secrets``."""
    for ref, url in rows:
        conn.execute(text("DELETE FROM subscriber_secrets WHERE ref = :ref"), {"ref": ref})
        conn.execute(_INSERT, {"ref": ref, "url": url})
