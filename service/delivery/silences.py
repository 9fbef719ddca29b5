"""The one reader of ``silences`` and ``rule_items`` (the silences projection's tables), and what a silence covers.

A silence covers a delivery while it is active (added, not ended early, its ``until`` still ahead) and
its matcher names the delivery's item (``item``), one of that item's tags (``tag``) or its subscriber
(``subscriber``). Tags are the item's tags in the rules the log recorded last.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text

from service.store.hashing import timestamp_text

MATCHERS = ("item", "tag", "subscriber")

_COLUMNS = "silence_id, matcher, value, until, reason, origin, added_at, expired_at"
_ACTIVE = text(f"SELECT {_COLUMNS} FROM silences WHERE expired_at IS NULL AND until > :now ORDER BY added_position")
_ALL = text(f"SELECT {_COLUMNS} FROM silences ORDER BY added_position")
_ONE = text(f"SELECT {_COLUMNS} FROM silences WHERE silence_id = :silence_id")
_ITEMS = text("SELECT item, tags FROM rule_items ORDER BY item")
_TAGS_OF = text("SELECT tags FROM rule_items WHERE item = :item")


@dataclass(frozen=True)
class Silence:
    """A silence as recorded: what it matches, until when, why, and whether someone ended it early."""

    silence_id: str
    matcher: str  # item | tag | subscriber
    value: str
    until: str
    reason: str
    origin: str
    added_at: str
    expired_at: str | None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` (ended early) or ``ended`` (its time passed) at ``now``."""
        if self.expired_at is not None:
            return "expired"
        return "active" if self.until > timestamp_text(now) else "ended"

    def active_at(self, moment: str) -> bool:
        """Whether the silence was in force at ``moment`` (a stored UTC timestamp): added by then, neither
        ended early nor run out yet."""
        ended = min(self.until, self.expired_at) if self.expired_at is not None else self.until
        return self.added_at <= moment < ended

    def covers(self, item: str, tags: Sequence[str], subscriber: str) -> bool:
        """Whether this silence's matcher names the delivery's item, one of its tags, or its subscriber."""
        if self.matcher == "item":
            return self.value == item
        if self.matcher == "tag":
            return self.value in tags
        return self.value == subscriber

    @property
    def shown(self) -> str:
        """The matcher as the command line writes it, e.g. ``--tag ukraine``."""
        return f"--{self.matcher} {self.value}"


def active_silences(conn: Connection, now: datetime) -> list[Silence]:
    """The silences active at ``now``, oldest first."""
    return [Silence(*row) for row in conn.execute(_ACTIVE, {"now": timestamp_text(now)})]


def all_silences(conn: Connection) -> list[Silence]:
    """Every silence ever added, oldest first (active, ended and expired alike)."""
    return [Silence(*row) for row in conn.execute(_ALL)]


def silence(conn: Connection, silence_id: str) -> Silence | None:
    """The silence with this id, or None."""
    row = conn.execute(_ONE, {"silence_id": silence_id}).first()
    return Silence(*row) if row else None


def rule_items(conn: Connection) -> dict[str, list[str]]:
    """The items of the rules recorded last, each with its tags."""
    return {item: json.loads(tags) for item, tags in conn.execute(_ITEMS)}


def tags_of(conn: Connection, item: str) -> list[str]:
    """The tags of ``item`` in the rules recorded last (none for an item they do not have)."""
    tags = conn.execute(_TAGS_OF, {"item": item}).scalar()
    return json.loads(tags) if tags else []


def covering(silences: Sequence[Silence], item: str, tags: Sequence[str], subscriber: str) -> list[Silence]:
    """The silences among ``silences`` that cover a delivery of ``item`` (with ``tags``) to ``subscriber``."""
    return [s for s in silences if s.covers(item, tags, subscriber)]
