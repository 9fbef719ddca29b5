"""Opening the store the way every command and the daemon do: connect, migrate, wire projections."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from service.store.database import Database, open_database
from service.store.migrate import upgrade
from service.store.projection import Projection
from service.store.recorder import EventStore


def open_store(
    url: str,
    *,
    projections: Sequence[Projection] = (),
    migrate: bool = True,
    pool_size: int | None = None,
    create: bool = True,
) -> EventStore:
    """Open ``url``, apply pending migrations (unless ``migrate`` is False) and return the store
    (``pool_size``, ``create``: see ``open_database``).

    Raises DatabaseUnavailable (DatabaseMissing for a SQLite file that may not be created) or
    SchemaTooNew with a one-line message.
    """
    db = open_database(url, pool_size=pool_size, create=create)
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


@contextmanager
def scratch_store(store: EventStore, *, projections: Sequence[Projection] = ()) -> Iterator[EventStore]:
    """An empty, migrated store of the same backend beside ``store`` (a temporary SQLite file, or a
    temporary PostgreSQL schema), removed afterwards; ScratchUnavailable when none can be made."""
    with store.backend.scratch_database(store.engine) as url:
        scratch = open_store(url, projections=projections)
        try:
            yield scratch
        finally:
            scratch.close()
