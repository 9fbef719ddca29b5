"""Leases: short claims that keep several daemons on one database from doing the same work at once.

A lease is taken inside a write transaction, which already serializes writers (see the backends), so
the check and the claim cannot interleave with another daemon's. Leases are not facts and not a
projection: losing them costs at most one repeated poll or send once they expire.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from service.store.hashing import timestamp_text
from service.store.owners import is_dead_local_owner

_CLAIM = text(
    "INSERT INTO leases (name, owner, until) VALUES (:name, :owner, :until) "
    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "
    "WHERE leases.until < :now OR leases.owner = :owner"
)
_RELEASE = text("DELETE FROM leases WHERE name = :name AND owner = :owner")
_HOLDER = text("SELECT owner FROM leases WHERE name = :name")
_RENEW = text("UPDATE leases SET until = :until WHERE name = :name AND owner = :owner")
_TAKE_OVER = text("UPDATE leases SET owner = :owner, until = :until WHERE name = :name AND owner = :holder")


def claim(conn: Connection, name: str, owner: str, *, now: datetime, until: datetime) -> bool:
    """Take (or renew) the lease ``name`` for ``owner`` until ``until``; False if someone else holds it."""
    result = conn.execute(
        _CLAIM, {"name": name, "owner": owner, "until": timestamp_text(until), "now": timestamp_text(now)}
    )
    if result.rowcount == 1:
        return True
    # A holder on this machine that was killed (SIGKILL, OOM) cannot release its lease: take it over
    # now rather than leave the source or the delivery waiting for the expiry after a restart.
    holder = conn.execute(_HOLDER, {"name": name}).scalar()
    if holder is None or not is_dead_local_owner(holder):
        return False
    taken = conn.execute(_TAKE_OVER, {"name": name, "owner": owner, "until": timestamp_text(until), "holder": holder})
    return taken.rowcount == 1


def renew(conn: Connection, name: str, owner: str, *, until: datetime) -> bool:
    """Move the end of a lease ``owner`` still holds to ``until``; False if it holds it no more.

    Never takes a lease: a lease that expired and was taken by another owner, or was released, stays so.
    """
    return conn.execute(_RENEW, {"name": name, "owner": owner, "until": timestamp_text(until)}).rowcount == 1


def release(conn: Connection, name: str, owner: str) -> None:
    """Give the lease back early (it would expire anyway)."""
    conn.execute(_RELEASE, {"name": name, "owner": owner})
