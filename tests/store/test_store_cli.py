"""The store's commands as a user runs them: a real ``vigil`` process, its output and exit code."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from service.store import NewEvent
from service.store.bootstrap import open_store


def vigil(*args: str, db: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed CLI in a subprocess, as a user would."""
    env = {k: v for k, v in os.environ.items() if k != "VIGIL_DB"}
    if db is not None:
        env["VIGIL_DB"] = db
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def _fill(url: str, n: int) -> None:
    store = open_store(url)
    for i in range(n):
        store.append(f"source:s{i % 3}", [NewEvent("EntryObserved", {"i": i})])
    store.close()


def test_version() -> None:
    result = vigil("--version")
    assert result.returncode == 0 and result.stdout.startswith("vigil, version ")


def test_db_upgrade_creates_then_reports_up_to_date(db_url: str) -> None:
    first = vigil("db", "upgrade", db=db_url)
    again = vigil("db", "upgrade", db=db_url)
    assert first.returncode == 0 and "upgraded from empty" in first.stdout
    assert again.returncode == 0 and "up to date" in again.stdout


def test_default_database_is_vigil_db_in_the_working_directory_in_wal_mode(tmp_path: Path) -> None:
    result = vigil("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "vigil.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_events_pages_newest_last_and_as_json(db_url: str) -> None:
    _fill(db_url, 12)
    newest = vigil("events", "--limit", "5", db=db_url)
    assert newest.returncode == 0
    assert [int(line.split()[0]) for line in newest.stdout.splitlines()] == [8, 9, 10, 11, 12]

    page = vigil("events", "--from", "2", "--limit", "3", "--json", db=db_url)
    rows = [json.loads(line) for line in page.stdout.splitlines()]
    assert [r["position"] for r in rows] == [3, 4, 5]
    assert rows[0]["data"] == {"i": 2} and rows[0]["type"] == "EntryObserved"
    assert "--from 5" in vigil("events", "--from", "2", "--limit", "3", db=db_url).stderr

    stream = vigil("events", "--stream", "source:s1", db=db_url)
    assert [line.split()[3] for line in stream.stdout.splitlines()] == [
        "source:s1#1",
        "source:s1#2",
        "source:s1#3",
        "source:s1#4",
    ]


def test_verify_passes_then_names_the_first_tampered_position(sqlite_url: str) -> None:
    _fill(sqlite_url, 6)
    # A synthetic log (its events lack what the pipeline writes): only the chain is checked.
    ok = vigil("verify", "--no-projections", db=sqlite_url)
    assert ok.returncode == 0 and "6 events" in ok.stdout

    # Tampering needs the append-only trigger out of the way: exactly what an attacker with file access does.
    with sqlite3.connect(sqlite_url) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("""UPDATE events SET data = '{"i":99}' WHERE position = 4""")
    broken = vigil("verify", "--no-projections", db=sqlite_url)
    assert broken.returncode == 1
    assert "chain broken at position 4" in broken.stderr
    assert "Traceback" not in broken.stderr


@pytest.mark.parametrize(
    "url, expected",
    [
        ("/no/such/folder/vigil.db", "no database at /no/such/folder/vigil.db"),
        ("postgresql://postgres@127.0.0.1:1/test", "cannot open database"),
        ("mysql://root@127.0.0.1/test", "only sqlite and postgresql"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(url: str, expected: str) -> None:
    result = vigil("events", db=url)
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_schema_newer_than_the_code_is_refused(sqlite_url: str) -> None:
    _fill(sqlite_url, 1)
    with sqlite3.connect(sqlite_url) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    result = vigil("events", db=sqlite_url)
    assert result.returncode == 2
    assert "schema revision 9999, newer than this Vigil knows" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_password_in_url_is_not_printed() -> None:
    result = vigil("events", db="postgresql://postgres:hunter2@127.0.0.1:1/test")
    assert result.returncode == 2 and "hunter2" not in result.stderr


@pytest.mark.postgres
def test_daemons_upgrading_an_empty_postgresql_together_all_succeed(pg_url: str) -> None:
    # Several daemons started at once on a new database each apply migrations on start; without a lock
    # they raced to create the same tables and all but one failed.
    starts = [
        subprocess.Popen([sys.executable, "-m", "service.cli", "--db", pg_url, "db", "upgrade"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [(process.wait(timeout=60), process.stderr.read()) for process in starts]  # type: ignore[union-attr]
    for process in starts:
        process.stdout.close()  # type: ignore[union-attr]
        process.stderr.close()  # type: ignore[union-attr]
    assert [code for code, _ in results] == [0, 0, 0, 0], [err for _, err in results]
    assert vigil("verify", db=pg_url).returncode == 0


def test_paging_a_stream_keeps_its_filter_and_ends_where_the_stream_ends(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    for i in range(9):
        store.append("config" if i % 3 == 0 else f"source:s{i}", [NewEvent("EntryObserved", {"i": i})])
    store.close()
    # The config stream holds positions 1, 4 and 7; the log goes on to 9.
    newest = vigil("events", "--stream", "config", db=sqlite_url)
    assert [line.split()[0] for line in newest.stdout.splitlines()] == ["1", "4", "7"]
    assert "more" not in newest.stderr  # the stream has no more, whatever the log holds after it
    first = vigil("events", "--stream", "config", "--from", "0", "--limit", "2", db=sqlite_url)
    assert [line.split()[0] for line in first.stdout.splitlines()] == ["1", "4"]
    assert first.stderr.strip() == "... more after position 4: vigil events --from 4 --stream config --limit 2"
    rest = vigil("events", "--from", "4", "--stream", "config", "--limit", "2", db=sqlite_url)
    assert [line.split()[0] for line in rest.stdout.splitlines()] == ["7"] and rest.stderr == ""
