"""Statements run on the transaction's DB-API connection, with ``:name`` parameters on every backend.

Projections run several statements for every event appended (and for every event of a replay);
SQLAlchemy's statement machinery costs several times what the driver does, so they go to the driver
directly, inside the same transaction. sqlite3 takes ``:name`` as it is; psycopg wants ``%(name)s``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
