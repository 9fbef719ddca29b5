"""A mistyped ``--db`` is refused by every command that only reads, instead of reading a new, empty store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_operations import vigil


@pytest.mark.parametrize("command", [["alerts"], ["events"], ["state"], ["export"], ["subscribe", "list"]])
def test_a_command_that_reads_refuses_a_database_that_does_not_exist(tmp_path: Path, command: list[str]) -> None:
    mistyped = tmp_path / "vigl.db"
    shown = vigil(str(mistyped), *command)
    assert shown.returncode == 2, shown.stdout
    assert shown.stderr.strip() == (
        f"vigil: no database at {mistyped}: check --db or VIGIL_DB "
        "(only run, db upgrade, import and demo create one)"
    )
    assert not mistyped.exists()


def test_db_upgrade_creates_the_store_and_the_commands_then_read_it(tmp_path: Path) -> None:
    new = tmp_path / "vigil.db"
    created = vigil(str(new), "db", "upgrade")
    assert created.returncode == 0, created.stderr
    assert new.exists()
    assert vigil(str(new), "alerts").stdout.strip() == "no alerts"


def test_a_store_in_a_folder_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    shown = vigil(str(tmp_path / "no" / "such" / "vigil.db"), "db", "upgrade")
    assert shown.returncode == 2
    assert f"folder {tmp_path / 'no' / 'such'} does not exist" in shown.stderr
