"""What this process last committed: the chain's head and its streams' versions, kept as a guess.

An append needs the chain's last position and hash, and its stream's version. Reading them is a statement
(a round trip on PostgreSQL) before every append; remembering them from the previous commit is free, and
the INSERT itself checks the guess against the table (see ``Backend.append_rows``), inside the locked
transaction: a guess another process made stale inserts nothing, and the append reads the head and tries
again. Correctness never rests on what is remembered here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Streams whose version is remembered; past this the memory starts afresh (a daemon touches a few hundred).
MAX_STREAMS = 10_000


@dataclass(frozen=True, slots=True)
class Head:
    """The newest event's position and hash (0 and the genesis hash for an empty log)."""

    position: int
    hash: str


@dataclass
class KnownHeads:
    """The head and the stream versions as of this process's last commit."""

    head: Head | None = None
    versions: dict[str, int] = field(default_factory=dict)

    def version(self, stream_id: str) -> int | None:
        """The stream's remembered version, None when not remembered."""
        return self.versions.get(stream_id)

    def committed(self, head: Head | None, versions: dict[str, int]) -> None:
        """Remember what a transaction committed (called only after its commit succeeded)."""
        if head is None:
            return
        if len(self.versions) + len(versions) > MAX_STREAMS:
            self.versions = {}
        self.head = head
        self.versions.update(versions)

    def forget(self) -> None:
        """Remember nothing (events were written by another way than an append: an import)."""
        self.head = None
        self.versions = {}
