"""Property-based tests of the rule loader: whatever a rule file holds, ``vigil check`` either accepts
it or prints clean ``file:line:col: message`` errors and exits 1, never a traceback.

Two kinds of input: random text built from the characters YAML gives meaning to (and random bytes),
and structured documents (mappings, lists and scalars whose keys are the rule schema's own key names
and whose values include durations, patterns, environment references and nonsense), written as YAML.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from service.cli.rules_commands import check
from service.rules.loader import load_rules
from service.rules.schema import json_schema
from tests.rules.conftest import EXAMPLE

SETTINGS = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _schema_keys() -> list[str]:
    """Every property name the rule schema declares, at any depth."""
    found: set[str] = set()
    pending: list[Any] = [json_schema()]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            found.update(node.get("properties", {}) if isinstance(node.get("properties"), dict) else {})
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return sorted(found)


KEYS = _schema_keys()
# Scalars a rule author might write, well or badly.
SCALARS = st.one_of(
    st.sampled_from(
        [
            "10m",
            "0s",
            "-1h",
            "6h",
            "48h",
            "1y",
            "critical",
            "info",
            "bogus",
            "none",
            "agreed",
            "date",
            "status",
            "set",
            "changed",
            "(a+)+",
            "agreed? (to|on) {date}",
            "{date}",
            "[unclosed",
            "(?P<x>a)",
            "\\",
            "${UNSET_VARIABLE}",
            "${}",
            "json://localhost/hook",
            "mailto://",
            "",
            " ",
            "~",
            "yes",
            "1e309",
        ]
    ),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(KEYS),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=25,
)
# A document whose top level is mostly the real sections, so the loader's deeper checks are reached.
DOCUMENTS = (
    st.dictionaries(st.sampled_from(["sources", "items", "alerts", "subscribers", "cues", *KEYS]), VALUES, max_size=5)
    | VALUES
)
# The characters YAML gives meaning to, plus letters, digits, tabs and non-ASCII.
YAML_TEXT = st.lists(
    st.sampled_from(list(":-[]{},'\"#&*!|>%@`?\\ \n\t\r\x00abkz09_.$éü€\u2028\ufeff")) | st.sampled_from(KEYS),
    max_size=80,
).map("".join)
ERROR_LINE = re.compile(r"^.+\.yaml:\d+:\d+: \S")


def _check(path: Path) -> None:
    """Run ``vigil check path`` and assert it ended cleanly either way."""
    result = CliRunner().invoke(check, [str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback for {path.read_bytes()[:300]!r}: {result.exception!r}"
    )
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    if result.exit_code == 0:
        assert result.stdout.rstrip().endswith("OK") and result.stderr == ""
        return
    lines = result.stderr.splitlines()
    assert lines and result.stdout == "", result.output
    bad = [line for line in lines if not ERROR_LINE.match(line)]
    assert not bad, f"not file:line:col: message: {bad} for {path.read_bytes()[:300]!r}"


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a parsed document a mutation can touch (the root included)."""
    found = [path]
    if isinstance(node, dict):
        for key, child in node.items():
            found.extend(_paths(child, (*path, key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found.extend(_paths(child, (*path, index)))
    return found


def _mutate(document: Any, data: st.DataObject) -> Any:
    """Replace, delete or add one thing somewhere in ``document`` (a valid rule file, parsed)."""
    path = data.draw(st.sampled_from(_paths(document)))
    if not path:
        return data.draw(VALUES)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    operation = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if operation == "replace":
        parent[path[-1]] = data.draw(VALUES)
    elif operation == "delete":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.sampled_from(KEYS))] = data.draw(VALUES)
    else:
        parent.append(data.draw(VALUES))
    return document


@pytest.fixture
def rule_file(tmp_path: Path) -> Path:
    """Where each example writes its rule file."""
    return tmp_path / "rules.yaml"


@SETTINGS
@given(text=YAML_TEXT)
def test_random_text_is_accepted_or_refused_cleanly(rule_file: Path, text: str) -> None:
    rule_file.write_text(text, encoding="utf-8", errors="surrogatepass")
    _check(rule_file)


@settings(SETTINGS, max_examples=15)
@given(data=st.binary(max_size=200))
def test_random_bytes_are_accepted_or_refused_cleanly(rule_file: Path, data: bytes) -> None:
    rule_file.write_bytes(data)
    _check(rule_file)


@SETTINGS
@given(document=DOCUMENTS)
def test_structured_documents_are_accepted_or_refused_cleanly(rule_file: Path, document: Any) -> None:
    stream = io.StringIO()
    YAML().dump(document, stream)
    rule_file.write_text(stream.getvalue(), encoding="utf-8")
    _check(rule_file)


@SETTINGS
@given(data=st.data())
def test_a_valid_file_with_random_mutations_is_accepted_or_refused_cleanly(
    rule_file: Path, data: st.DataObject
) -> None:
    document = YAML(typ="safe").load(EXAMPLE.replace("${ANALYSTS_URL}", "json://localhost/hook"))
    for _ in range(data.draw(st.integers(1, 3))):
        document = _mutate(document, data)
    stream = io.StringIO()
    YAML().dump(document, stream)
    rule_file.write_text(stream.getvalue(), encoding="utf-8")
    _check(rule_file)


# Regressions the properties above found.


def test_a_source_without_every_is_polled_every_ten_minutes(rule_file: Path) -> None:
    rule_file.write_text('sources:\n  wire: {url: "https://example.org/feed.xml"}\n')
    result = CliRunner().invoke(check, [str(rule_file)])
    assert result.exit_code == 0, result.output
    assert load_rules([rule_file], env={}).rules.sources["wire"].every == timedelta(minutes=10)


def test_a_key_holding_a_line_break_is_reported_on_one_line(rule_file: Path) -> None:
    rule_file.write_text('sources:\n  "wi\\rre": 3\n')
    result = CliRunner().invoke(check, [str(rule_file)])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "'wi\\rre'" in result.stderr
