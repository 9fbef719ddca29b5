"""`vigil explain` and `vigil test` as a rule author uses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import authoring_commands
from service.cli.authoring_commands import commands, explain

ROOT = Path(__file__).resolve().parents[2]
RULES = str(ROOT / "rules" / "istanbul-talks.yaml")


def run(command: object, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(command, list(args))  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def test_both_commands_are_exported_for_the_cli() -> None:
    assert {c.name for c in commands} == {"explain", "test"}


def test_explain_shows_each_match_accepted_or_vetoed_with_its_cue_and_reason() -> None:
    code, out, _ = run(explain, "No ceasefire was agreed between Russia and Ukraine. Kyiv and Moscow agreed to a "
                                "prisoner exchange, which will take place on Monday.",
                       "--published", "2025-06-07T11:00:00Z", "--rules", RULES)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("published 2025-06-07T11:00:00+00:00 (Saturday)")
    assert "[1] No ceasefire was agreed between Russia and Ukraine." in lines
    assert any("VETOED" in line and "ceasefire -> agreed" in line and "negation 'no'" in line for line in lines)
    assert any("ACCEPTED" in line and "prisoner-exchange -> agreed" in line and "pattern:" in line for line in lines)


def test_explain_names_the_date_it_read_and_why_a_date_was_refused() -> None:
    _, out, _ = run(explain, "Ukraine and Russia said the prisoner exchange will take place on Monday. The next "
                             "prisoner swap could take place on Friday.", "--published", "2025-06-07",
                    "--rules", RULES)
    assert "ACCEPTED  exchange-date -> 2025-06-09" in out
    assert "exchange-date -> 2025-06-13    by hedge 'could'" in out


def test_explain_refuses_a_publication_date_it_cannot_read() -> None:
    code, _, err = run(explain, "text", "--published", "the day after never", "--rules", RULES)
    assert code == 1 and "--published" in err


def test_explain_reports_broken_rules_with_their_location(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("items:\n  x:\n    title: X\n    states: {on: ['(a']}\n")
    code, _, err = run(explain, "text", "--rules", str(broken))
    assert code == 1 and "broken.yaml:4:" in err


def test_the_shipped_rule_tests_pass() -> None:
    code, out, _ = run(authoring_commands.test, str(ROOT / "rules"))
    assert code == 0, out
    assert out.strip().endswith(" passed, 0 failed")


@pytest.fixture
def talks(tmp_path: Path) -> Path:
    (tmp_path / "talks.yaml").write_text(Path(RULES).read_text())
    return tmp_path


def test_a_failing_case_is_printed_with_its_explanation_and_exits_1(talks: Path) -> None:
    (talks / "talks.test.yaml").write_text(
        "cases:\n"
        "  - name: a wrong expectation\n"
        "    published: 2025-06-02T10:00:00Z\n"
        "    text: The talks between Ukraine and Russia ended and no ceasefire was agreed.\n"
        "    expect: {ceasefire: agreed}\n"
        "  - name: a right one\n"
        "    published: 2025-06-02T10:00:00Z\n"
        "    text: The talks between Ukraine and Russia ended without a ceasefire.\n"
        "    expect: {ceasefire: none}\n"
    )
    code, out, _ = run(authoring_commands.test, str(talks))
    assert code == 1
    assert "FAIL" in out and "a wrong expectation" in out and "ceasefire: expected agreed, got none" in out
    assert "VETOED" in out and "negation 'no'" in out
    assert "a right one" not in out
    assert out.strip().endswith("1 passed, 1 failed")


def test_entries_are_applied_in_order_with_their_sources(talks: Path) -> None:
    (talks / "talks.test.yaml").write_text(
        "cases:\n"
        "  - name: the date announced, then withdrawn\n"
        "    entries:\n"
        "      - {published: 2025-06-07T11:00:00Z, source: wire,\n"
        "         text: Kyiv and Moscow said the prisoner exchange will take place on Monday.}\n"
        "      - {published: 2025-06-08T11:00:00Z, source: courier,\n"
        "         text: The prisoner exchange between Russia and Ukraine has been postponed.}\n"
        "    expect: {exchange-date: unannounced, prisoner-exchange: none}\n"
    )
    assert run(authoring_commands.test, str(talks)) == (0, "1 passed, 0 failed\n", "")


def test_a_folder_without_test_files_or_a_missing_path_is_an_error(tmp_path: Path) -> None:
    code, _, err = run(authoring_commands.test, str(tmp_path))
    assert code == 1 and "no rule test cases" in err
    code, _, err = run(authoring_commands.test, str(tmp_path / "nowhere"))
    assert code == 1 and "nowhere" in err
