"""The store's write connection: taken from the pool once and kept, so a write transaction costs its own
statements and nothing else.

Checking a connection out of SQLAlchemy's pool and back in for every append cost more than the append's
own SQL: on PostgreSQL the pre-ping (``SELECT 1``) and the reset on check-in are two more round trips,
and on SQLite the pool's bookkeeping was ~40% of a one-event append at ``synchronous=NORMAL``. Appenders
serialize on the database's append lock anyway, so one connection per store, taken in turns
(service/store/write_turns.py), costs no concurrency: the threads that waited in the database now wait
for their turn. The connection never leaves the store.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from service.store.backend import Backend
from service.store.chain_head import Appending, KnownHeads
from service.store.errors import StoreError
from service.store.write_turns import WriteTurns


class NestedWrite(StoreError):
    """A write transaction was opened inside another one on the same thread (it would wait for itself)."""

    def __init__(self) -> None:
        super().__init__("a write transaction is already open on this thread: append inside it instead")


class Writer:
    """One kept connection for write transactions, used by one thread at a time."""

    def __init__(self, engine: Engine, backend: Backend) -> None:
        self._engine = engine
        self._backend = backend
        self._turns = WriteTurns()  # foreground writers first (service/store/write_turns.py)
        self._owner: int | None = None
        self._conn: Connection | None = None
        self._raw: Any = None  # the kept connection's driver connection (SQLAlchemy's path to it is 3 calls)
        self._generation = 0  # which connection: a stamp means something only on the connection it came from
        self.known = KnownHeads()

    @contextmanager
    def transaction(self, *, background: bool = False) -> Iterator[tuple[Connection, Any, Appending]]:
        """The connection and its driver connection, in a transaction holding the append lock, and what is
        known of the log's head; commits on exit, rolls back on error. A ``background`` transaction waits
        while a foreground one is waiting for the connection."""
        if self._owner == threading.get_ident():
            raise NestedWrite()
        self._turns.acquire(background=background)  # not ``with turn()``: a generator costs every append
        try:
            self._owner = threading.get_ident()
            try:
                conn, stamp = self._begin()
                appending = self.known.start(None if stamp is None else (self._generation, stamp))
                try:
                    yield conn, self._raw, appending
                except BaseException:
                    self._end(conn, commit=False)
                    raise
                try:
                    self._end(conn, commit=True)
                except BaseException:
                    self.known.forget()  # committed or not, nobody can say
                    raise
                # Still holding the turn: the next transaction must see what this one appended.
                self.known.finish(appending)
            finally:
                self._owner = None
        finally:
            self._turns.release()

    def close(self) -> None:
        """Give the connection back (the store is closing)."""
        with self._turns.turn():
            if self._conn is not None:
                self._conn.close()
                self._conn = self._raw = None

    def _begin(self) -> tuple[Connection, object | None]:
        kept = self._conn
        if kept is not None:
            try:
                return kept, self._backend.begin_append(self._raw)
            except Exception as error:
                lost = _lost(kept, error)
                self._discard()
                # A kept connection the server has dropped (a restart, an idle timeout) is replaced once,
                # as the pool's pre-ping would have done at check-out; anything else is the caller's error.
                if not lost:
                    raise
        conn = self._engine.connect()
        try:
            stamp = self._backend.begin_append(_driver(conn))
        except BaseException:
            conn.invalidate()
            conn.close()
            raise
        self._conn, self._raw = conn, _driver(conn)
        self._generation += 1
        return conn, stamp

    def _end(self, conn: Connection, *, commit: bool) -> None:
        """Commit or roll back on the driver: SQLAlchemy's transaction bookkeeping (events, its
        Transaction objects) cost a one-event append more than the driver's own work did."""
        driver = self._raw
        try:
            if commit:
                driver.commit()
            else:
                driver.rollback()
            if conn.in_transaction():
                # A statement run through SQLAlchemy (a projection) made it begin a transaction of its own
                # bookkeeping: end that too. The driver has nothing left to end: no statement, no round trip.
                if commit:
                    conn.commit()
                else:
                    conn.rollback()
        except BaseException:
            # A commit or rollback that failed leaves the connection in a state nobody can vouch for.
            self._discard()
            raise
        if conn.invalidated:
            self._discard()

    def _discard(self) -> None:
        conn, self._conn, self._raw = self._conn, None, None
        if conn is None:
            return
        try:
            conn.invalidate()
            conn.close()
        except Exception:  # noqa: S110 - it is being thrown away because it already failed
            pass


def _driver(conn: Connection) -> Any:
    return conn.connection.driver_connection


def _lost(conn: Connection, error: Exception) -> bool:
    """Whether ``error`` says the connection itself is gone (not a lock timeout or a bad statement)."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if conn.invalidated:
        return True
    driver = getattr(getattr(conn, "_dbapi_connection", None), "driver_connection", None)
    if getattr(driver, "broken", False) or getattr(driver, "closed", False):
        return True
    pgconn = getattr(driver, "pgconn", None)  # libpq's own view, when the error came straight from it
    return pgconn is not None and pgconn.status != 0  # CONNECTION_OK
