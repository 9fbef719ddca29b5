"""Opening the store the way every command and the daemon do: connect, migrate, wire projections."""

from __future__ import annotations

from collections.abc import Sequence

from service.store.database import Database, open_database
from service.store.migrate import upgrade
from service.store.projection import Projection
from service.store.recorder import EventStore


def open_store(
    url: str, *, projections: Sequence[Projection] = (), migrate: bool = True, pool_size: int | None = None
) -> EventStore:
    """Open ``url``, apply pending migrations (unless ``migrate`` is False) and return the store
    (``pool_size``: see ``open_database``).

    Raises DatabaseUnavailable or SchemaTooNew with a one-line message.
    """
    db = open_database(url, pool_size=pool_size)
    try:
        if migrate:
            upgrade(db)
    except Exception:
        db.dispose()
        raise
    return EventStore(db.engine, db.backend, projections=projections)


def store_database(store: EventStore) -> Database:
    """The Database behind a store (for migration commands)."""
    return Database(
        engine=store.engine, backend=store.backend, url=store.engine.url.render_as_string(hide_password=True)
    )
