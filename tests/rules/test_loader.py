"""Loading rule files: what loads, how files merge, and the file:line:col of every structural error."""

from __future__ import annotations

import pytest

from service.rules.errors import RuleErrors
from tests.rules.conftest import EXAMPLE, EXAMPLE_ENV, RuleDir

SOURCES = """\
sources:
  kyiv-independent: {url: "https://example.org/feed.xml", every: 10m}
"""
ITEM = """\
items:
  ceasefire:
    title: Ceasefire
    states:
      agreed: [agreed to a ceasefire]
"""


def test_the_example_rule_file_loads(rule_dir: RuleDir) -> None:
    rule_dir.write("istanbul.yaml", EXAMPLE)

    loaded = rule_dir.load(env=EXAMPLE_ENV)

    assert loaded.files == ["istanbul.yaml"]
    assert sorted(loaded.rules.items) == ["ceasefire", "exchange-date"]
    assert loaded.rules.items["exchange-date"].kind == "date"
    assert [alert.name for alert in loaded.rules.alerts] == ["ceasefire-changed"]
    assert loaded.rules.sources["kyiv-independent"].every.total_seconds() == 600
    assert len(loaded.hash) == 64


def test_the_hash_depends_on_the_rules_not_on_how_they_are_split_into_files(rule_dir: RuleDir) -> None:
    rule_dir.write("one/all.yaml", SOURCES + ITEM)
    rule_dir.write("two/sources.yaml", SOURCES)
    rule_dir.write("two/items.yaml", ITEM)
    rule_dir.write("three/all.yaml", SOURCES + ITEM.replace("title: Ceasefire", "title: Truce"))

    one, two, three = rule_dir.load("one"), rule_dir.load("two"), rule_dir.load("three")

    assert one.hash == two.hash
    assert three.hash != one.hash


def test_a_directory_is_searched_recursively_in_order_skipping_rule_tests_and_hidden_files(
    rule_dir: RuleDir,
) -> None:
    rule_dir.write("b/items.yml", ITEM)
    rule_dir.write("a-sources.yaml", SOURCES)
    rule_dir.write("ceasefire.test.yaml", "this: [is not a rule file\n")
    rule_dir.write("b/more.test.yml", "neither: [is this\n")
    rule_dir.write(".drafts/wip.yaml", "broken: [\n")
    rule_dir.write("notes.txt", "not yaml at all: [\n")

    loaded = rule_dir.load()

    assert loaded.files == ["a-sources.yaml", "b/items.yml"]
    assert list(loaded.rules.items) == ["ceasefire"]


def test_files_and_directories_can_be_mixed_and_each_file_is_read_once(rule_dir: RuleDir) -> None:
    rule_dir.write("rules/items.yaml", ITEM)
    rule_dir.write("extra.yaml", SOURCES)

    loaded = rule_dir.load("rules", "rules/items.yaml", "extra.yaml")

    assert loaded.files == ["rules/items.yaml", "extra.yaml"]


def test_empty_files_are_fine(rule_dir: RuleDir) -> None:
    rule_dir.write("empty.yaml", "")
    rule_dir.write("comments.yaml", "# to be written\n")
    rule_dir.write("items.yaml", ITEM)

    assert list(rule_dir.load().rules.items) == ["ceasefire"]


def test_paths_that_name_no_rule_file(rule_dir: RuleDir) -> None:
    (rule_dir.root / "empty-dir").mkdir()
    rule_dir.write("ceasefire.test.yaml", "cases: []\n")

    assert rule_dir.errors("missing.yaml", "empty-dir", "ceasefire.test.yaml") == [
        "ceasefire.test.yaml:1:1: this is a rule test file; run it with `vigil test`",
        "empty-dir:1:1: no rule files (*.yaml, *.yml) in this directory",
        "missing.yaml:1:1: no such file or directory",
    ]


def test_invalid_yaml_is_one_error_at_the_position_ruamel_reports(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "broken.yaml",
        """\
        items:
          ceasefire:
            title: "Ceasefire
        """,
    )

    [error] = rule_dir.errors()

    assert error.startswith("broken.yaml:4:1: invalid YAML: ")
    assert "end of stream" in error


def test_a_duplicate_key_in_one_mapping_names_both_lines(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "dup.yaml",
        """\
        items:
          ceasefire:
            title: Ceasefire
            kind: status
            title: Truce
        """,
    )

    assert rule_dir.errors() == ["dup.yaml:5:5: duplicate key 'title' in this mapping (first defined on line 3)"]


def test_an_unknown_section_gets_a_did_you_mean(rule_dir: RuleDir) -> None:
    rule_dir.write("typo.yaml", "itmes:\n  ceasefire: {title: Ceasefire}\nwhatever: 1\n")

    assert rule_dir.errors() == [
        "typo.yaml:1:1: unknown section 'itmes' (did you mean 'items'?)",
        "typo.yaml:3:1: unknown section 'whatever'; expected one of: sources, items, alerts, subscribers, cues",
    ]


def test_a_file_that_is_not_a_mapping(rule_dir: RuleDir) -> None:
    rule_dir.write("list.yaml", "- ceasefire\n")

    assert rule_dir.errors() == [
        "list.yaml:1:1: a rule file is a mapping of sections (sources, items, alerts, subscribers, cues)"
    ]


def test_unknown_keys_get_a_did_you_mean_against_the_fields_allowed_there(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "typos.yaml",
        """\
        items:
          ceasefire:
            titel: Ceasefire
            states:
              agreed: [agreed to a ceasefire]
        alerts:
          - name: changed
            when: {item: ceasefire, form: none}
            colour: red
        """,
    )

    assert rule_dir.errors() == [
        "typos.yaml:2:3: item 'ceasefire' is missing required key 'title'",
        "typos.yaml:3:5: unknown key 'titel' (did you mean 'title'?)",
        "typos.yaml:8:29: unknown key 'form' (did you mean 'from'?)",
        "typos.yaml:9:5: unknown key 'colour'; expected one of: name, when, min_sources, throttle, severity, "
        "title, body, notify, group",
    ]


def test_values_of_the_wrong_type_point_at_the_value(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "values.yaml",
        """\
        sources:
          feed: {url: "https://example.org/feed.xml", every: ten minutes}
        items:
          ceasefire:
            title: Ceasefire
            kind: stauts
            scope: [[ukraine, 2025]]
            states: {agreed: agreed to a ceasefire}
        alerts:
          - name: changed
            severity: loud
          - just a string
        subscribers:
          nobody: {urls: []}
        """,
    )

    assert rule_dir.errors() == [
        "values.yaml:2:54: 'every': not a duration: 'ten minutes' (write e.g. 30s, 10m, 48h, 7d)",
        "values.yaml:6:11: 'kind': should be 'status' or 'date'",
        "values.yaml:7:23: 'scope[0][1]': should be text (quote it if YAML reads it as something else)",
        "values.yaml:8:22: 'agreed': should be a list",
        "values.yaml:11:15: 'severity': should be 'info', 'warning' or 'critical'",
        "values.yaml:12:5: alert rule: should be a mapping (key: value)",
        "values.yaml:14:12: 'urls': should have at least 1 item",
    ]


def test_a_nul_character_in_a_name_or_a_text_is_an_error_where_it_was_written(rule_dir: RuleDir) -> None:
    # The rules' names and texts are recorded in the log, and PostgreSQL cannot store U+0000 in JSON:
    # a daemon on PostgreSQL would fail every write that carries one.
    rule_dir.write(
        "nul.yaml",
        """\
        items:
          "cease\\0fire":
            title: Ceasefire
          truce:
            title: Truce
            states: {agreed: ["agreed to a\\0 truce"], "col\\0lapsed": [truce collapsed]}
        """,
    )

    assert rule_dir.errors() == [
        "nul.yaml:2:3: a NUL character (\\0) is not allowed here: the event log cannot record it",
        "nul.yaml:6:23: a NUL character (\\0) is not allowed here: the event log cannot record it",
        "nul.yaml:6:47: a NUL character (\\0) is not allowed here: the event log cannot record it",
    ]


def test_a_section_of_the_wrong_shape(rule_dir: RuleDir) -> None:
    rule_dir.write("shape.yaml", "items: [ceasefire]\nalerts: {name: x}\ncues: {negation: not, nagation: [x]}\n")

    assert rule_dir.errors() == [
        "shape.yaml:1:1: 'items' should be a mapping of item names to items",
        "shape.yaml:2:1: 'alerts' should be a list of alert rules",
        "shape.yaml:3:8: 'negation' should be a list of phrases",
        "shape.yaml:3:23: unknown cue list 'nagation' (did you mean 'negation'?)",
    ]


def test_the_same_name_defined_in_two_files_is_an_error_at_the_second(rule_dir: RuleDir) -> None:
    rule_dir.write("a.yaml", SOURCES + ITEM)
    rule_dir.write("b.yaml", ITEM + "subscribers:\n  desk: {urls: ['json://localhost']}\n")
    rule_dir.write("c.yaml", "subscribers:\n  desk: {urls: ['json://localhost']}\n" + SOURCES)

    assert rule_dir.errors() == [
        "b.yaml:2:3: item 'ceasefire' is already defined at a.yaml:4:3",
        "c.yaml:2:3: subscriber 'desk' is already defined at b.yaml:7:3",
        "c.yaml:4:3: source 'kyiv-independent' is already defined at a.yaml:2:3",
    ]


def test_alerts_and_cue_lists_from_several_files_are_concatenated(rule_dir: RuleDir) -> None:
    alerts = "alerts:\n  - {name: first, when: {item: ceasefire}}\n"
    rule_dir.write("a.yaml", ITEM + alerts + "cues: {negation: [no deal]}\n")
    rule_dir.write("b.yaml", "alerts:\n  - {name: second}\ncues: {negation: [far from], hedge: [might]}\n")

    rules = rule_dir.load().rules

    assert [alert.name for alert in rules.alerts] == ["first", "second"]
    assert rules.cues.negation == ["no deal", "far from"]
    assert rules.cues.hedge == ["might"]


def test_errors_are_collected_from_every_file_and_sorted_by_file_and_line(rule_dir: RuleDir) -> None:
    rule_dir.write("b.yaml", "items:\n  x: {title: X, states: {on: [on]}, colour: red}\n")
    rule_dir.write("a.yaml", "sources:\n  feed: {url: 'https://example.org/feed', evry: 10m}\nbogus: 1\n")
    rule_dir.write("c.yaml", "items: {y: {title: [unclosed}\n")

    assert [line.split(": ")[0] for line in rule_dir.errors()] == [
        "a.yaml:2:43",
        "a.yaml:3:1",
        "b.yaml:2:37",
        "c.yaml:1:29",
    ]


def test_a_rule_file_with_an_error_changes_nothing(rule_dir: RuleDir) -> None:
    good = rule_dir.write("istanbul.yaml", EXAMPLE)
    before = rule_dir.load(env=EXAMPLE_ENV)
    content = good.read_bytes()
    rule_dir.write("later.yaml", "items:\n  truce: {title: Truce, states: {agreed: ['(a+)+']}}\n")
    listing = sorted(path.name for path in rule_dir.root.rglob("*"))

    with pytest.raises(RuleErrors) as failure:
        rule_dir.load(env=EXAMPLE_ENV)

    assert [str(error) for error in failure.value.errors] == [
        "later.yaml:2:44: nested quantifier '(a+)+' can backtrack catastrophically; "
        "write it without repeating a repeated group"
    ]
    assert good.read_bytes() == content
    assert sorted(path.name for path in rule_dir.root.rglob("*")) == listing  # nothing written
    assert rule_dir.load("istanbul.yaml", env=EXAMPLE_ENV).hash == before.hash


def test_a_definition_that_fails_validation_does_not_hide_problems_elsewhere(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "mixed.yaml",
        """\
        items:
          ceasefire:
            titel: Ceasefire
            states: {agreed: [agreed]}
          truce:
            title: Truce
            states: {agreed: ['agreed (to']}
        alerts:
          - {name: broken, severity: loud}
          - {name: on-ceasefire, when: {item: ceasefire, to: anything}, notify: [desk]}
        """,
    )

    # The alert naming the broken item is not blamed for it, and the second alert keeps its position.
    assert rule_dir.errors() == [
        "mixed.yaml:2:3: item 'ceasefire' is missing required key 'title'",
        "mixed.yaml:3:5: unknown key 'titel' (did you mean 'title'?)",
        "mixed.yaml:7:31: invalid regex: missing )",
        "mixed.yaml:9:30: 'severity': should be 'info', 'warning' or 'critical'",
        "mixed.yaml:10:74: unknown subscriber 'desk'",
    ]


def test_source_keys_added_later_leave_the_hash_of_rules_that_do_not_use_them_unchanged(rule_dir: RuleDir) -> None:
    # The hash of this rule set before kind, selector and websub existed: an upgrade records no change.
    before = "6456132d4d5f9c9e599b461c3291b24e08cd45f608e69d879c21302397daae84"
    wire = 'sources:\n  wire: {url: "https://news.example/feed.xml", every: 10m%s}\n'
    rule_dir.write("wire.yaml", wire % "")
    assert rule_dir.load().hash == before
    rule_dir.write("wire.yaml", wire % ", websub: true")
    assert rule_dir.load().hash != before
