"""Recognising errors from the database itself, whichever layer raised them.

The store's hot paths use the raw DB-API cursor (see ``recorder.Transaction``), so a failing database
shows up either as SQLAlchemy's wrapper (``sqlalchemy.exc.DBAPIError``) or as the driver's own
``sqlite3.Error`` / ``psycopg.Error``. Code that turns these into a clear message must accept both.
"""

from __future__ import annotations

import sqlite3
import sys

from sqlalchemy import exc

#: SQLite result codes (extended ones start with these) that mean the file cannot be used right now.
_SQLITE_UNAVAILABLE = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_FULL",
    "SQLITE_READONLY",
    "SQLITE_IOERR",
    "SQLITE_CANTOPEN",
    "SQLITE_PROTOCOL",
)


def is_driver_error(error: BaseException) -> bool:
    """True for any error the database or its driver raised (a bad statement included)."""
    if isinstance(error, exc.DBAPIError | sqlite3.Error):
        return True
    # psycopg is only loaded when a PostgreSQL URL was opened; if it is not, the error cannot be one.
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, psycopg.Error)


def is_unavailable(error: BaseException) -> bool:
    """True when the database is unreachable or refuses work (server gone, disk full, locked, read-only),
    as opposed to a bug in a statement (a missing table, a syntax error), which keeps its traceback."""
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    if isinstance(error, sqlite3.Error):
        # sqlite3 calls both "disk is full" and "no such table" OperationalError: tell them apart by code.
        return (getattr(error, "sqlite_errorname", None) or "").startswith(_SQLITE_UNAVAILABLE)
    psycopg = sys.modules.get("psycopg")
    # psycopg's OperationalError is SQLSTATE classes 08 (connection), 53 (resources), 57 (shutdown)...;
    # statement errors are ProgrammingError and friends.
    return psycopg is not None and isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)
