"""Fixtures shared by every test package: a fresh store on SQLite and (when reachable) PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.store.bootstrap import open_store
from service.store.recorder import EventStore
from tests.support.databases import pg_schema_url, pg_unavailable_reason


def _require_pg() -> bool:
    # CI sets this: there the PostgreSQL tests are not optional, a missing server is a failure.
    return os.environ.get("VIGIL_REQUIRE_PG", "") not in ("", "0")


@pytest.fixture(scope="session")
def pg_available() -> None:
    """Skip (or, under VIGIL_REQUIRE_PG, fail) when no PostgreSQL server answers."""
    reason = pg_unavailable_reason()
    if reason:
        if _require_pg():
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database, once per backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "vigil.db")
        return
    request.getfixturevalue("pg_available")
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file for tests that only need the embedded default."""
    return str(tmp_path / "vigil.db")


@pytest.fixture
def pg_url(pg_available: None) -> Iterator[str]:
    """A fresh PostgreSQL schema, for tests that are about PostgreSQL only."""
    with pg_schema_url() as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[EventStore]:
    """A migrated, empty store on each backend."""
    opened = open_store(db_url)
    yield opened
    opened.close()
