"""The JSON Schema that editors use to complete and check rule files."""

from __future__ import annotations

import io

from ruamel.yaml import YAML

from service.rules.schema import json_schema
from tests.rules.conftest import EXAMPLE
from tests.rules.schema_subset import problems


def _yaml(text: str) -> object:
    return YAML(typ="safe").load(io.StringIO(text))


def test_the_schema_describes_rule_files_for_editors() -> None:
    schema = json_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Vigil rule file"
    assert schema["description"]
    assert set(schema["properties"]) == {"sources", "items", "alerts", "subscribers", "cues"}
    assert "from" in schema["$defs"]["AlertCondition"]["properties"]  # the YAML key, not the Python name


def test_the_example_rule_file_conforms() -> None:
    assert problems(json_schema(), _yaml(EXAMPLE)) == []


def test_a_file_with_one_section_conforms() -> None:
    assert problems(json_schema(), _yaml("alerts:\n  - {name: any-change, severity: critical}\n")) == []


def test_mistakes_an_editor_should_flag() -> None:
    document = _yaml(
        """\
items:
  ceasefire: {titel: Ceasefire, kind: maybe}
sources:
  feed: {url: "https://example.org/rss", every: soon}
alerts:
  - {when: {item: ceasefire}}
"""
    )

    assert sorted(problems(json_schema(), document)) == sorted(
        [
            "$.alerts[0]: missing name",
            "$.items.ceasefire: missing title",
            "$.items.ceasefire: unknown key titel",
            "$.items.ceasefire.kind: not one of ['status', 'date']",
            "$.sources.feed.every: does not match ^\\d+(\\.\\d+)?[smhdw]$",
        ]
    )


def test_the_schema_tells_editors_that_a_page_source_needs_a_selector() -> None:
    source = json_schema()["$defs"]["SourceSpec"]

    assert source["properties"]["kind"]["enum"] == ["feed", "page"]
    assert source["if"] == {"properties": {"kind": {"const": "page"}}, "required": ["kind"]}
    assert source["then"] == {"required": ["selector"]}
    page = "sources:\n  mfa: {kind: page, url: 'https://mfa.example/statements', selector: article}\n"
    assert problems(json_schema(), _yaml(page)) == []
