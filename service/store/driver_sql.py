"""Statements run on the transaction's DB-API connection, with ``:name`` parameters on every backend.

Projections run several statements for every event appended (and for every event of a replay);
SQLAlchemy's statement machinery costs several times what the driver does, so they go to the driver
directly, inside the same transaction. sqlite3 takes ``:name`` as it is; psycopg wants ``%(name)s``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=512)
def _for_driver(sql: str, dialect: str) -> str:
    return sql if dialect == "sqlite" else _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


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

    ``types`` are the columns' PostgreSQL types. SQLite runs ``executemany`` over ``VALUES (?, ?)``, a row
    at a time in C. On PostgreSQL that costs ~60 µs of psycopg's Python per row even pipelined, so the
    rows go in one statement instead, as one array per column expanded by ``unnest`` (the rows' conflict
    keys must then be distinct: one statement cannot change a row twice).
    """
    if not rows:
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    if conn.dialect.name == "sqlite":
        cursor.executemany(f"{insert} VALUES ({', '.join('?' * len(types))}) {tail}", rows)
        return
    arrays = ", ".join(f"%b::{kind}[]" for kind in types)
    columns = [list(column) for column in zip(*rows, strict=True)]
    cursor.execute(f"{insert} SELECT * FROM unnest({arrays}) {tail}", columns)


def placeholders(name: str, count: int) -> tuple[str, list[str]]:
    """``(:name0, :name1, ...)`` for an IN list of ``count`` values, and the parameter names it uses."""
    names = [f"{name}{i}" for i in range(count)]
    return "(" + ", ".join(f":{n}" for n in names) + ")", names
