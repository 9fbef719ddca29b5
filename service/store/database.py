"""Opening a database from a URL: the engine, its backend, and a one-line error when it cannot be had."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, exc, make_url
from sqlalchemy.engine import URL

from service.store.backend import Backend
from service.store.errors import DatabaseUnavailable, first_line
from service.store.sqlite import SqliteBackend, check_file

DEFAULT_DB = "sqlite:///vigil.db"
CONNECT_TIMEOUT_S = 5


@dataclass(frozen=True)
class Database:
    """An engine and the backend that knows its dialect."""

    engine: Engine
    backend: Backend
    url: str  # with any password masked, fit for messages

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def normalise_url(value: str) -> URL:
    """Accept a SQLAlchemy URL, a ``postgresql://`` URL (psycopg 3 is implied) or a plain SQLite path."""
    if "://" not in value:
        value = f"sqlite:///{value}"
    try:
        url = make_url(value)
    except exc.ArgumentError as error:
        raise DatabaseUnavailable(f"cannot open database {value!r}: not a database URL") from error
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    return url


def open_database(value: str, *, pool_size: int | None = None, create: bool = True) -> Database:
    """Create the engine for ``value`` and check that it answers; DatabaseUnavailable otherwise.

    ``create``: a SQLite file that does not exist may be created; DatabaseMissing otherwise.

    ``pool_size``: connections kept open (SQLAlchemy's default, 5, plus 10 more on demand, when None);
    the daemon sizes it from its number of workers, so jobs do not queue for a connection."""
    pool: dict[str, int] = {} if pool_size is None else {"pool_size": pool_size}
    url = normalise_url(value)
    shown = url.render_as_string(hide_password=True)
    backend: Backend
    if url.get_backend_name() == "sqlite":
        check_file(url, shown, create=create)
        backend = SqliteBackend()
        engine = create_engine(url, **pool)
    elif url.get_backend_name() == "postgresql":
        # Imported here: psycopg's import (~0.2 s) is for PostgreSQL users only, not every SQLite command.
        from service.store.postgres import PostgresBackend

        backend = PostgresBackend()
        engine = create_engine(
            url, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}, pool_pre_ping=True, **pool
        )
    else:
        raise DatabaseUnavailable(f"cannot open database {shown}: only sqlite and postgresql are supported")
    backend.configure(engine)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except (exc.OperationalError, exc.InterfaceError, exc.DatabaseError) as error:
        engine.dispose()
        raise DatabaseUnavailable(f"cannot open database {shown}: {first_line(error)}") from error
    return Database(engine=engine, backend=backend, url=shown)
