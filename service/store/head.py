"""The log's head, saved outside the database: its last position and that event's hash.

A saved head commits to every event up to its position (each hash covers the one before). Whoever can
write the database can rewrite the log and recompute every hash, or cut its tail, and the chain still
verifies; a head saved elsewhere before that no longer matches (compare SQL Server's ledger digests, or
the signed tree heads of Certificate Transparency). With ``VIGIL_HEAD_KEY`` set, a head carries an
HMAC-SHA256 under that key, so a file of heads kept where others can write cannot be forged without it.

The text form, ``vigil-head:1:<position>:<hash>[:<hmac>]``, is found anywhere in a line: a log file or a
file of saved lines can be given to ``vigil verify --head`` as it is. Until 2026-12-03 this was called
the log's *digest* (``vigil-digest:1:…``, ``VIGIL_DIGEST_KEY``); lines saved in that form still verify,
and the old variable is still read, so that "digest" now means only a subscriber's daily message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from service.store.hashing import GENESIS

if TYPE_CHECKING:  # the recorder does not import heads; only the type is needed here
    from service.store.recorder import EventStore

KEY_VARIABLE = "VIGIL_HEAD_KEY"
#: The variable's name before 2026-12-03, still read when the new one is not set.
OLD_KEY_VARIABLE = "VIGIL_DIGEST_KEY"
_PREFIX = "vigil-head:1"
_PATTERN = re.compile(r"(vigil-(?:head|digest):1):(\d+):([0-9a-f]{64})(?::([0-9a-f]{64}))?")


def signing_key(env: Mapping[str, str]) -> str | None:
    """The key heads are signed with: VIGIL_HEAD_KEY, or the older VIGIL_DIGEST_KEY; None when neither is set."""
    return env.get(KEY_VARIABLE) or env.get(OLD_KEY_VARIABLE) or None


@dataclass(frozen=True)
class Head:
    """The log's head at one moment: its last position and that event's hash (GENESIS when empty)."""

    position: int
    hash: str
    signature: str | None = None
    prefix: str = _PREFIX  # as written: a head saved before the rename keeps its "vigil-digest:1"

    @property
    def body(self) -> str:
        """The signed part of the text form."""
        return f"{self.prefix}:{self.position}:{self.hash}"

    def text(self) -> str:
        """The text form an operator saves."""
        return f"{self.body}:{self.signature}" if self.signature else self.body

    def signed(self, key: str) -> Head:
        """This head with an HMAC-SHA256 under ``key``."""
        return Head(self.position, self.hash, _mac(key, self.body), self.prefix)

    def signature_holds(self, key: str) -> bool:
        """Whether the head is signed, and signed under ``key``."""
        return self.signature is not None and hmac.compare_digest(self.signature, _mac(key, self.body))


def _mac(key: str, body: str) -> str:
    return hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()


def current_head(store: EventStore, key: str | None = None) -> Head:
    """The log's head now (signed when ``key`` is given)."""
    last = store.last_position()
    event = store.read_event(last) if last else None
    head = Head(event.position, event.hash) if event else Head(0, GENESIS)
    return head.signed(key) if key else head


def parse_heads(text: str) -> list[Head]:
    """Every head written in ``text`` (a value, a file of saved lines, or a log), in order."""
    return [Head(int(m[2]), m[3], m[4], m[1]) for m in _PATTERN.finditer(text)]


def head_mismatch(store: EventStore, head: Head) -> str | None:
    """Why the log does not extend ``head``, or None when it does.

    Only the event at the head's position is compared: checking the chain up to it (``verify_chain``)
    is what makes a matching hash prove every earlier event unchanged.
    """
    if head.position == 0:
        return None if head.hash == GENESIS else "a head of position 0 must hold the genesis hash"
    event = store.read_event(head.position)
    stored = event.hash if event else None
    if stored is None:
        return (
            f"the log ends before position {head.position}, which a saved head holds: "
            "events were deleted from its end"
        )
    if stored != head.hash:
        return (
            f"the event at position {head.position} is not the one a saved head holds "
            f"(hash {stored[:12]}…, saved {head.hash[:12]}…): the log was rewritten"
        )
    return None
