"""The store's write connection: taken from the pool once and kept, so a write transaction costs its own
statements and nothing else.

Checking a connection out of SQLAlchemy's pool and back in for every append cost more than the append's
own SQL: on PostgreSQL the pre-ping (``SELECT 1``) and the reset on check-in are two more round trips,
and on SQLite the pool's bookkeeping was ~40% of a one-event append at ``synchronous=NORMAL``. Appenders
serialize on the database's append lock anyway (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's advisory
lock), so one connection per store, taken under a mutex, costs no concurrency: the threads that waited
in the database now wait on the mutex. The connection never leaves the store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DBAPIError

from service.store.backend import WRITE_OPTION, Backend
from service.store.chain_head import Appending, KnownHeads
from service.store.errors import StoreError


class NestedWrite(StoreError):
    """A write transaction was opened inside another one on the same thread (it would wait for itself)."""

    def __init__(self) -> None:
        super().__init__("a write transaction is already open on this thread: append inside it instead")


class Writer:
    """One kept connection for write transactions, used by one thread at a time."""

    def __init__(self, engine: Engine, backend: Backend) -> None:
        self._engine = engine
        self._backend = backend
        self._mutex = threading.Lock()
        self._owner: int | None = None
        self._conn: Connection | None = None
        self._generation = 0  # which connection: a stamp means something only on the connection it came from
        self.known = KnownHeads()

    @contextmanager
    def transaction(self) -> Iterator[tuple[Connection, Appending]]:
        """The connection, in a transaction holding the append lock, and what is known of the log's head;
        commits on exit, rolls back on error."""
        if self._owner == threading.get_ident():
            raise NestedWrite()
        with self._mutex:
            self._owner = threading.get_ident()
            try:
                conn, trans, stamp = self._begin()
                appending = self.known.start(None if stamp is None else (self._generation, stamp))
                try:
                    yield conn, appending
                except BaseException:
                    self._finish(conn, trans.rollback)
                    raise
                try:
                    self._finish(conn, trans.commit)
                except BaseException:
                    self.known.forget()  # committed or not, nobody can say
                    raise
                # Still under the mutex: the next transaction must see what this one appended.
                self.known.finish(appending)
            finally:
                self._owner = None

    def close(self) -> None:
        """Give the connection back (the store is closing)."""
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _begin(self) -> tuple[Connection, RootTransaction, object | None]:
        kept = self._conn
        if kept is not None:
            try:
                return kept, *self._begin_on(kept)
            except Exception as error:
                lost = _lost(kept, error)
                self._discard()
                # A kept connection the server has dropped (a restart, an idle timeout) is replaced once,
                # as the pool's pre-ping would have done at check-out; anything else is the caller's error.
                if not lost:
                    raise
        conn = self._engine.connect().execution_options(**{WRITE_OPTION: True})
        try:
            trans, stamp = self._begin_on(conn)
        except BaseException:
            conn.invalidate()
            conn.close()
            raise
        self._conn = conn
        self._generation += 1
        return conn, trans, stamp

    def _begin_on(self, conn: Connection) -> tuple[RootTransaction, object | None]:
        trans = conn.begin()
        try:
            stamp = self._backend.lock_for_append(conn)
        except BaseException:
            trans.rollback()
            raise
        return trans, stamp

    def _finish(self, conn: Connection, end: object) -> None:
        try:
            end()  # type: ignore[operator]
        except BaseException:
            # A commit or rollback that failed leaves the connection in a state nobody can vouch for.
            self._discard()
            raise
        if conn.invalidated:
            self._discard()

    def _discard(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.invalidate()
            conn.close()
        except Exception:  # noqa: S110 - it is being thrown away because it already failed
            pass


def _lost(conn: Connection, error: Exception) -> bool:
    """Whether ``error`` says the connection itself is gone (not a lock timeout or a bad statement)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if conn.invalidated:
        return True
    driver = getattr(getattr(conn, "_dbapi_connection", None), "driver_connection", None)
    return bool(getattr(driver, "broken", False) or getattr(driver, "closed", False))
