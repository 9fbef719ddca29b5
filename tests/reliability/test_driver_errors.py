"""Which database errors count as the database being unavailable (one log line, retry) and which are bugs
(a traceback), whether SQLAlchemy or the raw driver raised them."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import psycopg
import pytest
from sqlalchemy import create_engine, exc, text

from service.store.driver_errors import is_driver_error, is_unavailable
from tests.support.receivers import free_port


def _raised(action: Callable[[], object]) -> BaseException:
    with pytest.raises(Exception) as caught:
        action()
    return caught.value


def _full_sqlite() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("PRAGMA max_page_count = 2")  # SQLite's own SQLITE_FULL, as on a full disk
    for _ in range(100):
        conn.execute("INSERT INTO t VALUES (randomblob(2000))")


def _missing_table_through_sqlalchemy() -> None:
    with create_engine("sqlite://").connect() as conn:
        conn.execute(text("SELECT * FROM missing"))


def _server_down() -> None:
    psycopg.connect(f"postgresql://postgres@127.0.0.1:{free_port()}/test", connect_timeout=3)


def _server_down_through_sqlalchemy() -> None:
    create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test").connect()


def test_unavailable_databases_are_told_apart_from_bugs() -> None:
    full, down, down_wrapped = _raised(_full_sqlite), _raised(_server_down), _raised(_server_down_through_sqlalchemy)
    assert isinstance(down_wrapped, exc.OperationalError)
    for error in (full, down, down_wrapped):
        assert is_unavailable(error) and is_driver_error(error), error
    missing = _raised(_missing_table_through_sqlalchemy)
    assert is_driver_error(missing) and not is_unavailable(missing)
    assert not is_driver_error(ValueError("x")) and not is_unavailable(ValueError("x"))
