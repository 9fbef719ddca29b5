"""``vigil check`` and ``vigil schema`` as a rule author runs them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from service.cli.rules_commands import check, schema
from tests.rules.conftest import EXAMPLE, RuleDir


def test_check_prints_a_one_line_summary_for_good_rules(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_dir.write("rules/istanbul-talks.yaml", EXAMPLE)
    monkeypatch.setenv("ANALYSTS_URL", "json://localhost/hook")

    result = CliRunner().invoke(check, [])

    assert result.exit_code == 0
    assert result.stdout == "rules/istanbul-talks.yaml: 2 items, 1 alert, 1 source, 1 subscriber — OK\n"
    assert result.stderr == ""


def test_check_reads_the_folder_vigil_rules_names(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_dir.write("elsewhere/talks.yaml", EXAMPLE)
    monkeypatch.setenv("ANALYSTS_URL", "json://localhost/hook")
    monkeypatch.setenv("VIGIL_RULES", "elsewhere")

    result = CliRunner().invoke(check, [])

    assert result.exit_code == 0
    assert result.stdout == "elsewhere/talks.yaml: 2 items, 1 alert, 1 source, 1 subscriber — OK\n"


def test_check_counts_several_files_together(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_dir.write("a.yaml", EXAMPLE)
    rule_dir.write("b.yaml", "alerts:\n  - {name: any-change}\n")
    monkeypatch.setenv("ANALYSTS_URL", "json://localhost/hook")

    result = CliRunner().invoke(check, ["a.yaml", "b.yaml"])

    assert result.stdout == "2 files: 2 items, 2 alerts, 1 source, 1 subscriber — OK\n"


def test_check_prints_every_error_on_stderr_and_exits_1(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANALYSTS_URL", raising=False)
    rule_dir.write("rules/istanbul-talks.yaml", EXAMPLE.replace("to: agreed", "to: agred"))

    result = CliRunner().invoke(check, ["rules"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "rules/istanbul-talks.yaml:18:33: 'agred' is not a state of item 'ceasefire' (did you mean 'agreed'?)",
        "rules/istanbul-talks.yaml:21:22: environment variable ANALYSTS_URL is not set",
    ]


def test_check_never_touches_the_database(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_dir.write("rules/broken.yaml", "items: [\n")
    monkeypatch.setenv("VIGIL_DB", str(rule_dir.root / "vigil.db"))

    result = CliRunner().invoke(check, [])

    assert result.exit_code == 1
    assert sorted(path.name for path in rule_dir.root.iterdir()) == ["rules"]


def test_schema_prints_the_json_schema() -> None:
    result = CliRunner().invoke(schema, [])

    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Vigil rule file"
