"""SQLite backend: one file in WAL mode; writers serialize through ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL

from service.store.backend import INSERT_COLUMNS, Guard, append_guard, head_sql
from service.store.errors import DatabaseMissing, DatabaseUnavailable
from service.store.wakeup import AppendSignal, Listening

#: WAL with synchronous=FULL: a committed event survives power loss, not only a process crash.
#: ``VIGIL_SQLITE_SYNCHRONOUS=NORMAL`` trades that for ~5x faster single-event commits.
DEFAULT_SYNCHRONOUS = "FULL"
BUSY_TIMEOUT_MS = 30_000


class SqliteBackend:
    """Pragmas and locking for SQLite."""

    name = "sqlite"
    mark = "?"  # DB-API paramstyle
    keeps_nul = True
    announces_appends = False
    autocommit_reads = False  # a read takes no lock and begins nothing: there is nothing to save

    def __init__(self, synchronous: str | None = None) -> None:
        value = (synchronous or os.environ.get("VIGIL_SQLITE_SYNCHRONOUS") or DEFAULT_SYNCHRONOUS).upper()
        if value not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
            raise ValueError(f"VIGIL_SQLITE_SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA, not {value!r}")
        self.synchronous = value

    def configure(self, engine: Engine) -> None:
        """Take over transaction control from pysqlite so that write transactions can BEGIN IMMEDIATE."""
        synchronous = self.synchronous

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own implicit BEGIN is DEFERRED, which lets two writers both read the chain head
            # and then deadlock on upgrade; we emit BEGIN ourselves instead.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            driver = conn.connection.driver_connection
            # The store's write transactions began on the driver already (``begin_append``); a statement a
            # projection runs through SQLAlchemy inside one must not begin another.
            if not driver.in_transaction:  # type: ignore[union-attr]
                # Straight to the driver: SQLAlchemy's statement machinery would cost more than the BEGIN.
                driver.execute("BEGIN")  # type: ignore[union-attr]

    def begin_append(self, driver: Any) -> int:
        """``BEGIN IMMEDIATE``: SQLite's single writer lock, held to the end. Returns the connection's
        ``data_version``, which changes only when another connection commits."""
        driver.execute("BEGIN IMMEDIATE")
        try:
            return int(driver.execute("PRAGMA data_version").fetchone()[0])
        except BaseException:
            driver.rollback()
            raise

    def announce_append(self, conn: Connection, position: int) -> None:
        """Nothing: SQLite has no notifications; other processes wake on their timer."""

    def listen(self, engine: Engine, signal: AppendSignal) -> Listening | None:
        """None: another process's appends are seen when the waiter's timer runs out."""
        return None

    head_sql = head_sql("?")
    #: One event row: (position, stream_id, stream_version, event_type, schema_version, data, metadata,
    #: recorded_at, prev_hash, hash), JSON as canonical text.
    insert_sql = f"INSERT INTO events ({INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    _guarded_sql = (
        f"INSERT INTO events ({INSERT_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE {append_guard('?')}"
    )

    @classmethod
    def append_rows(cls, cursor: Any, rows: Sequence[Sequence[Any]], guard: Guard | None) -> bool:
        """The first row under the guard, the rest (which follow it under the same lock) as they are."""
        if guard is None:
            if len(rows) == 1:
                cursor.execute(cls.insert_sql, rows[0])
            else:
                cursor.executemany(cls.insert_sql, rows)
            return True
        cursor.execute(cls._guarded_sql, (*rows[0], *guard))
        if cursor.rowcount != 1:
            return False
        if len(rows) > 1:
            cursor.executemany(cls.insert_sql, rows[1:])
        return True

    @staticmethod
    def driver_sql(sql: str) -> str:
        """sqlite3 takes ``:name`` parameters as they are."""
        return sql

    @staticmethod
    def insert_many(cursor: Any, insert: str, types: Sequence[str], rows: Sequence[Sequence[Any]], tail: str) -> None:
        """``executemany`` over ``VALUES (?, ?)``: a row at a time, in C."""
        cursor.executemany(f"{insert} VALUES ({', '.join('?' * len(types))}) {tail}", rows)

    def migration_lock(self, engine: Engine) -> nullcontext[None]:
        """Nothing to take: SQLite's writer lock already makes concurrent migrations take turns."""
        return nullcontext()

    @staticmethod
    @contextmanager
    def scratch_database(engine: Engine) -> Iterator[str]:
        """A file in a temporary folder, removed with the folder."""
        with tempfile.TemporaryDirectory(prefix="vigil-verify-") as folder:
            yield str(Path(folder) / "scratch.db")


def check_file(url: URL, shown: str, *, create: bool) -> None:
    """Refuse a file that does not exist unless ``create`` (opening a SQLite file creates it: a mistyped
    path would silently be a new, empty store), and a folder that does not exist in any case."""
    database = url.database or ""
    if not database or database == ":memory:":
        return
    if not create and not Path(database).exists():
        raise DatabaseMissing(database)
    if not Path(database).parent.exists():
        raise DatabaseUnavailable(f"cannot open database {shown}: folder {Path(database).parent} does not exist")
