"""``vigil check`` against rules written by a careless or hostile author: templates that fail, URLs apprise
cannot use, durations without a unit, patterns that backtrack, YAML bombs and deep nesting."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from service.cli.rules_commands import check
from tests.rules.conftest import EXAMPLE, RuleDir
from tests.rules.hostile_rules import hostile_rule_files


def run_check(monkeypatch: pytest.MonkeyPatch, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    for name, value in {"ANALYSTS_URL": "json://localhost/hook", **(env or {})}.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(check, ["rules.yaml"])
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines()


TEMPLATED = EXAMPLE.replace(
    "    notify: [analysts]\n",
    '    notify: [analysts]\n    title: "{{ nope }} is {{ to_value }}"\n'
    "    body: |\n      {{ summary }}\n      {{ 100 // (to_value|length - 6) }}\n",
)


def test_check_renders_each_template_for_the_items_it_fires_for(
    rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_dir.write("rules.yaml", TEMPLATED)

    code, lines = run_check(monkeypatch)

    assert code == 1
    assert lines == [
        "rules.yaml:20:13: title template: 'nope' is undefined",
        # Fails only for the state "agreed" (six letters), which this rule fires for.
        "rules.yaml:23:7: body template: ZeroDivisionError: integer division or modulo by zero",
    ]


def test_check_accepts_templates_using_every_documented_variable(
    rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = ("{{ item_id }} {{ item_title }} {{ kind }} {{ from_value }} {{ to_value }} {{ from_label }} "
             "{{ to_label }} {{ change }} {{ summary }} {{ published }} {{ published_text }} {{ rule }} "
             "{{ severity }} {{ sentences|join }} {{ links|join }} {{ sources|join }} "
             "{% for e in evidence %}{{ e.sentence }}{{ e.link }}{{ e.source }}{% endfor %} "
             "{{ to_value|human_date }} {{ published|human_time }}")
    rule_dir.write(
        "rules.yaml", EXAMPLE.replace("    notify: [analysts]\n", f"    notify: [analysts]\n    body: '{every}'\n")
    )

    assert run_check(monkeypatch)[0] == 0


def test_check_loads_every_subscriber_url_through_apprise(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_dir.write("rules.yaml", EXAMPLE.replace(
        'analysts: {urls: ["${ANALYSTS_URL}"]}',
        'analysts: {urls: ["${ANALYSTS_URL}", "slak://nothing"]}',
    ))

    code, lines = run_check(monkeypatch, {"ANALYSTS_URL": "jsno://host/x"})

    assert code == 1
    assert lines == [
        "rules.yaml:21:21: subscriber 'analysts': invalid apprise URL: ${ANALYSTS_URL} (unsupported scheme jsno://)",
        "rules.yaml:21:40: subscriber 'analysts': invalid apprise URL: slak://*** (unsupported scheme slak://)",
    ]


def test_a_number_without_a_unit_is_not_a_duration(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_dir.write("rules.yaml", EXAMPLE.replace("every: 10m", "every: 10"))

    code, lines = run_check(monkeypatch)

    assert code == 1
    assert lines == ["rules.yaml:2:66: 'every': a duration needs a unit (did you mean '10s' or '10m'?)"]


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(("text", "error"), [
    (BILLION_LAUGHS, "rules.yaml:5:36: the file expands to more than 100000 values (check its aliases)"),
    ("items: " + "[" * 5000 + "]" * 5000 + "\n", "rules.yaml:1:39: lists and mappings nested more than 32 deep"),
    ("items: " + "{a: " * 3000 + "b" + "}" * 3000 + "\n",
     "rules.yaml:1:132: lists and mappings nested more than 32 deep"),
    ("a: &a [1, [2, [3, [4, [5, [6, [7, [8]]]]]]]]\n"
     "b: &b [*a, [*a, [*a, [*a, [*a, [*a, [*a, [*a]]]]]]]]\n"
     "c: &c [*b, [*b, [*b, [*b, [*b, [*b, [*b, [*b]]]]]]]]\n"
     "d: &d [*c, [*c, [*c, [*c, [*c, [*c, [*c, [*c]]]]]]]]\n"
     "e: &e [*d, [*d, [*d, [*d, [*d, [*d, [*d, [*d]]]]]]]]\n",
     "rules.yaml:4:43: lists and mappings nested more than 32 deep"),
    ("# padding\n" * 200_000, "rules.yaml:1:1: the file is 2000000 bytes; a rule file may have at most 1000000"),
])
def test_yaml_bombs_and_deep_nesting_are_one_line_errors(
    rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch, text: str, error: str
) -> None:
    rule_dir.write("rules.yaml", text)

    code, lines = run_check(monkeypatch)

    assert code == 1
    assert lines == [error]


@pytest.mark.parametrize(("pattern", "column"), [
    ("(a|a)+$", 20), ("(a|aa)+b", 20), ("(.*){1,32000}[bc]", 20), ("(a{1,3}){1,40}x", 20), ("talks (a|aa)+b", 26),
])
def test_check_refuses_patterns_that_backtrack_catastrophically(
    rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch, pattern: str, column: int
) -> None:
    rule_dir.write("rules.yaml", EXAMPLE.replace("collapsed: ['(ceasefire|truce) (collapsed|broke down)']",
                                                 f"collapsed: ['{pattern}']"))

    code, lines = run_check(monkeypatch)

    assert code == 1
    [line] = lines
    assert line.startswith(f"rules.yaml:10:{column}: pattern can backtrack catastrophically: it took longer than")


EIGHT_PROBLEMS = """\
sources:
  wire: {url: "ftp://example.org/feed", every: 10m}
items:
  ceasefire:
    title: Ceasefire
    titel: typo
    states:
      agreed: ['(unclosed']
  talks:
    title: Talks
    tags: [peace]
    states:
      resumed: ['talks resumed']
alerts:
  - name: a1
    when: {item: talks, to: resumd}
    notify: [nobody]
  - name: a2
    when: {tags: [war]}
    severity: huge
subscribers:
  ops: {urls: ["json://localhost/x"], items: [nothing]}
"""


def test_check_reports_every_problem_of_a_file_in_one_run(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch) -> None:
    rule_dir.write("rules.yaml", EIGHT_PROBLEMS)

    code, lines = run_check(monkeypatch)

    assert code == 1
    assert lines == [
        "rules.yaml:2:15: source 'wire': url must be an http:// or https:// address",
        "rules.yaml:6:5: unknown key 'titel' (did you mean 'title'?)",
        # The item with a typo still has its patterns checked ...
        "rules.yaml:8:17: invalid regex: missing )",
        # ... and alerts about the other items are still judged, states and tags too.
        "rules.yaml:16:29: 'resumd' is not a state of item 'talks' (did you mean 'resumed'?)",
        "rules.yaml:17:14: unknown subscriber 'nobody'; expected one of: ops",
        "rules.yaml:19:19: no item has the tag 'war'",
        "rules.yaml:20:15: 'severity': should be 'info', 'warning' or 'critical'",
        "rules.yaml:22:47: unknown item 'nothing'; expected one of: talks, ceasefire",
    ]


@given(text=hostile_rule_files())
@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_check_never_crashes_on_hostile_rule_files(rule_dir: RuleDir, monkeypatch: pytest.MonkeyPatch,
                                                    text: str) -> None:
    rule_dir.write("rules.yaml", text)
    code, lines = run_check(monkeypatch)  # asserts no traceback
    assert code in (0, 1)
    assert code == 0 or (lines and all(line.startswith("rules.yaml:") for line in lines))
