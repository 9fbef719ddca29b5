"""Statements run on the transaction's DB-API connection, with ``:name`` parameters on every backend.

Projections run several statements for every event appended (and for every event of a replay);
SQLAlchemy's statement machinery costs several times what the driver does, so they go to the driver
directly, inside the same transaction. sqlite3 takes ``:name`` as it is; psycopg wants ``%(name)s``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from service.store.backend import Backend
from service.store.sqlite import SqliteBackend


@lru_cache(maxsize=4)
def _backend(dialect: str) -> type[Backend]:
    # What differs between the drivers lives in the backends; this only finds the connection's one. The
    # PostgreSQL backend (and psycopg, ~0.2 s) is imported only when a PostgreSQL connection is in use.
    if dialect == SqliteBackend.name:
        return SqliteBackend
    from service.store.postgres import PostgresBackend

    return PostgresBackend


def _for_driver(sql: str, dialect: str) -> str:
    return _backend(dialect).driver_sql(sql)


def run(conn: Connection, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    """Execute ``sql`` (``:name`` parameters) on the connection's driver cursor; return the cursor."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(_for_driver(sql, conn.dialect.name), params or {})
    return cursor


def scalar(conn: Connection, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    """The first column of the first row, or None."""
    row = run(conn, sql, params).fetchone()
    return row[0] if row else None


def run_many(conn: Connection, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Execute ``sql`` once per parameter mapping in one driver call (psycopg pipelines the round trips)."""
    if not rows:
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(_for_driver(sql, conn.dialect.name), rows)


def insert_rows(conn: Connection, insert: str, types: Sequence[str], rows: Sequence[Sequence[Any]],
                tail: str = "") -> None:
    """``insert`` (``INSERT INTO t (a, b)``) of every row of ``rows``, then ``tail`` (an ON CONFLICT clause).

    ``types`` are the columns' PostgreSQL types; each backend inserts in its fastest way (see
    ``Backend.insert_many``): the rows' conflict keys must be distinct.
    """
    if not rows:
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    _backend(conn.dialect.name).insert_many(cursor, insert, types, rows, tail)


def placeholders(name: str, count: int) -> tuple[str, list[str]]:
    """``(:name0, :name1, ...)`` for an IN list of ``count`` values, and the parameter names it uses."""
    names = [f"{name}{i}" for i in range(count)]
    return "(" + ", ".join(f":{n}" for n in names) + ")", names
