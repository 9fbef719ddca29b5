"""What the store's write connection last committed: the chain's head and its streams' versions.

An append needs the chain's last position and hash, and its stream's version. Reading them is a statement
(a round trip on PostgreSQL) before every append; remembering them from the previous commit is free.
What is remembered is trusted only when the database says nobody else wrote since (SQLite's
``data_version``, compared under the writer lock). Otherwise it is a guess that the INSERT itself checks
inside the locked transaction (see ``Backend.append_rows``): a guess another process made stale inserts
nothing, and the append reads the head and tries again.

Everything here is read and changed only by the thread holding the write connection (see writer.py).
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


@dataclass(slots=True)
class Appending:
    """One write transaction's view: the head it appends after and the versions it wrote."""

    stamp: object | None  # the write lock's stamp (Backend.lock_for_append)
    head: Head | None  # remembered, then the transaction's own newest event
    exact: bool  # whether ``head`` and ``remembered`` are the table's truth (else a guess to check)
    remembered: dict[str, int]  # stream versions as of the last commit
    versions: dict[str, int] = field(default_factory=dict)  # what this transaction appended
    imported: bool = False  # events written with their own positions (an import): remember nothing

    def version(self, stream_id: str) -> tuple[int | None, bool]:
        """The stream's version as far as known, and whether it is exact."""
        own = self.versions.get(stream_id)
        if own is not None:
            return own, True
        remembered = self.remembered.get(stream_id)
        return remembered, self.exact and remembered is not None


@dataclass
class KnownHeads:
    """The head and the stream versions as of the write connection's last commit."""

    head: Head | None = None
    versions: dict[str, int] = field(default_factory=dict)
    stamp: object | None = None

    def start(self, stamp: object | None) -> Appending:
        """The view of a transaction whose write lock gave ``stamp``."""
        exact = stamp is not None and stamp == self.stamp and self.head is not None
        return Appending(stamp, self.head, exact, self.versions)

    def finish(self, appending: Appending) -> None:
        """Remember what a transaction committed (called only once its commit succeeded)."""
        if appending.imported:
            self.forget()
            return
        if appending.head is None or not appending.versions:
            return  # nothing appended: what is remembered is as true (or as stale) as it was
        if appending.stamp != self.stamp or len(self.versions) + len(appending.versions) > MAX_STREAMS:
            self.versions = {}  # another connection wrote since they were remembered
        self.head, self.stamp = appending.head, appending.stamp
        self.versions.update(appending.versions)

    def forget(self) -> None:
        """Remember nothing (a commit whose outcome is unknown, an import)."""
        self.head = None
        self.versions = {}
        self.stamp = None
