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


def run_many_tuples(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Like ``run_many`` with ``?`` placeholders and tuples: cheaper per row, for the bulkiest projections."""
    if not rows:
        return
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.executemany(sql if conn.dialect.name == "sqlite" else sql.replace("?", "%s"), rows)


def placeholders(name: str, count: int) -> tuple[str, list[str]]:
    """``(:name0, :name1, ...)`` for an IN list of ``count`` values, and the parameter names it uses."""
    names = [f"{name}{i}" for i in range(count)]
    return "(" + ", ".join(f":{n}" for n in names) + ")", names
