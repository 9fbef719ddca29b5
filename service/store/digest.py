"""Digests of the log: the head's position and hash, saved outside the database.

A digest commits to every event up to its position (each hash covers the one before). Whoever can write
the database can rewrite the log and recompute every hash, or cut its tail, and the chain still verifies;
a digest saved elsewhere before that no longer matches (compare SQL Server's ledger digests, or the signed
tree heads of Certificate Transparency). With ``VIGIL_DIGEST_KEY`` set, a digest carries an HMAC-SHA256
under that key, so a digest file kept where others can write cannot be forged without it.

The text form, ``vigil-digest:1:<position>:<hash>[:<hmac>]``, is found anywhere in a line: a log file or
a file of saved lines can be given to ``vigil verify --digest`` as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.store.hashing import GENESIS

if TYPE_CHECKING:  # the recorder does not import digests; only the type is needed here
    from service.store.recorder import EventStore

KEY_VARIABLE = "VIGIL_DIGEST_KEY"
_PREFIX = "vigil-digest:1"
_PATTERN = re.compile(rf"{_PREFIX}:(\d+):([0-9a-f]{{64}})(?::([0-9a-f]{{64}}))?")


@dataclass(frozen=True)
class Digest:
    """The log's head at one moment: its last position and that event's hash (GENESIS when empty)."""

    position: int
    hash: str
    signature: str | None = None

    @property
    def body(self) -> str:
        """The signed part of the text form."""
        return f"{_PREFIX}:{self.position}:{self.hash}"

    def text(self) -> str:
        """The text form an operator saves."""
        return f"{self.body}:{self.signature}" if self.signature else self.body

    def signed(self, key: str) -> Digest:
        """This digest with an HMAC-SHA256 under ``key``."""
        return Digest(self.position, self.hash, _mac(key, self.body))

    def signature_holds(self, key: str) -> bool:
        """Whether the digest is signed, and signed under ``key``."""
        return self.signature is not None and hmac.compare_digest(self.signature, _mac(key, self.body))


def _mac(key: str, body: str) -> str:
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def head_digest(store: EventStore, key: str | None = None) -> Digest:
    """The digest of the log now (signed when ``key`` is given)."""
    last = store.last_position()
    head = store.read_event(last) if last else None
    digest = Digest(head.position, head.hash) if head else Digest(0, GENESIS)
    return digest.signed(key) if key else digest


def parse_digests(text: str) -> list[Digest]:
    """Every digest written in ``text`` (a value, a file of saved lines, or a log), in order."""
    return [Digest(int(m[1]), m[2], m[3]) for m in _PATTERN.finditer(text)]


def digest_mismatch(store: EventStore, digest: Digest) -> str | None:
    """Why the log does not extend ``digest``, or None when it does.

    Only the event at the digest's position is compared: checking the chain up to it (``verify_chain``)
    is what makes a matching hash prove every earlier event unchanged.
    """
    if digest.position == 0:
        return None if digest.hash == GENESIS else "a digest of position 0 must hold the genesis hash"
    event = store.read_event(digest.position)
    stored = event.hash if event else None
    if stored is None:
        return (
            f"the log ends before position {digest.position}, which a saved digest holds: "
            "events were deleted from its end"
        )
    if stored != digest.hash:
        return (
            f"the event at position {digest.position} is not the one a saved digest holds "
            f"(hash {stored[:12]}…, saved {digest.hash[:12]}…): the log was rewritten"
        )
    return None
