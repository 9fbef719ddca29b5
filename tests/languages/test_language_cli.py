"""`vigil explain` and `vigil test` in Ukrainian and Russian, with the shipped Istanbul rules."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from service.cli import authoring_commands
from service.cli.authoring_commands import explain

ROOT = Path(__file__).resolve().parents[2]
RULES = str(ROOT / "rules" / "istanbul-talks.yaml")


def _explain(*args: str) -> str:
    result = CliRunner().invoke(explain, [*args, "--published", "2025-06-07T11:00:00+03:00", "--rules", RULES])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_explain_detects_the_language_and_judges_in_it() -> None:
    out = _explain("Сторони так і не домовилися про перемир'я, заявили у Києві та Москві.")
    assert out.splitlines()[0].endswith("language uk")
    assert "VETOED    ceasefire -> agreed    by negation 'так і не'" in out


def test_explain_lang_sets_the_language() -> None:
    sentence = "Обмен пленными между Россией и Украиной состоится в понедельник."
    assert "ACCEPTED  exchange-date -> 2025-06-09" in _explain(sentence, "--lang", "ru")
    assert "(nothing matched)" in _explain(sentence, "--lang", "en")  # English patterns do not read Russian


def test_explain_lang_refuses_a_language_it_does_not_read() -> None:
    result = CliRunner().invoke(explain, ["text", "--lang", "de", "--rules", RULES])
    assert result.exit_code == 2 and "--lang" in result.output


def test_the_shipped_rule_tests_pass_in_every_language() -> None:
    result = CliRunner().invoke(authoring_commands.test, [str(ROOT / "rules")])
    assert result.exit_code == 0, result.output
    cases = (ROOT / "rules" / "istanbul-talks.test.yaml").read_text(encoding="utf-8")
    assert "name: uk - " in cases and "name: ru - " in cases
