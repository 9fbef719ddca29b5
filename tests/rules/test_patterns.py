"""Evidence patterns in rule files: refused when unsafe or invalid, with the column inside the pattern."""

from __future__ import annotations

import pytest

from service.rules.patterns import PatternError, compile_pattern
from tests.rules.conftest import RuleDir


@pytest.mark.parametrize(
    ("pattern", "column", "message"),
    [
        ("agreed (to|on", 8, "invalid regex: missing )"),
        ("agreed to) a truce", 10, "invalid regex: unbalanced parenthesis"),
        ("truce [a-z", 7, "invalid regex: unterminated character set"),
        ("a truce**", 9, "invalid regex: multiple repeat"),
        ("trailing \\", 10, "invalid regex: bad escape (end of pattern)"),
        # Inside the word-boundary wrapper this would compile and escape the boundaries.
        ("truce)|(agreed", 6, "invalid regex: unbalanced parenthesis"),
    ],
)
def test_regex_errors_point_at_the_authors_column(pattern: str, column: int, message: str) -> None:
    with pytest.raises(PatternError) as failure:
        compile_pattern(pattern, date=False)

    assert (failure.value.column, failure.value.message) == (column, message)


@pytest.mark.parametrize(
    ("pattern", "column", "nested"),
    [
        ("(a+)+", 1, "(a+)+"),
        ("talks (\\w+\\s?)+ collapsed", 7, "(\\w+\\s?)+"),
        ("(\\d{1,2})*", 1, "(\\d{1,2})*"),
        ("((truce )+)*", 1, "((truce )+)*"),
        ("(?i)x(?:\\w+ ){2,}y", 6, "(?:\\w+ ){2,}"),
    ],
)
def test_nested_unbounded_quantifiers_are_refused(pattern: str, column: int, nested: str) -> None:
    with pytest.raises(PatternError, match="backtrack catastrophically") as failure:
        compile_pattern(pattern, date=False)

    assert failure.value.column == column
    assert repr(nested) in failure.value.message


@pytest.mark.parametrize(
    "pattern",
    [
        "agreed? (to|on) (a|an) (\\w+ )?(ceasefire|truce)",
        "(\\w+ ){0,3}truce",
        "(\\d{2})+",
        "(?>\\w+ )+ceasefire",
        "(\\w+ )++ceasefire",
        "[(+*)]+ literal \\(a+\\)+",
    ],
)
def test_safe_repetition_is_accepted(pattern: str) -> None:
    assert compile_pattern(pattern, date=False).source == pattern


def test_a_date_pattern_with_a_syntax_error_after_the_placeholder() -> None:
    with pytest.raises(PatternError) as failure:
        compile_pattern("on {date} (at", date=True)

    assert failure.value.column == 11


def test_pattern_errors_in_rule_files_point_inside_the_pattern_in_every_scalar_style(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "patterns.yaml",
        """\
        items:
          ceasefire:
            title: Ceasefire
            states:
              agreed:
                - agreed (to
                - 'it''s (agreed'
                - "a\\\\d (truce"
                - |
                  the talks
                  reached (a truce
              collapsed: ['(talks )+(\\w+ )+collapsed', '(?:\\w+ )*broke down']
        """,
    )

    assert rule_dir.errors() == [
        "patterns.yaml:6:18: invalid regex: missing )",
        "patterns.yaml:7:18: invalid regex: missing )",
        "patterns.yaml:8:17: invalid regex: missing )",
        "patterns.yaml:11:19: invalid regex: missing )",
        "patterns.yaml:12:29: nested quantifier '(\\\\w+ )+' can backtrack catastrophically; "
        "write it without repeating a repeated group",
        "patterns.yaml:12:49: nested quantifier '(?:\\\\w+ )*' can backtrack catastrophically; "
        "write it without repeating a repeated group",
    ]


def test_date_placeholders_are_checked_per_pattern_kind(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "dates.yaml",
        """\
        items:
          exchange-date:
            title: Exchange date
            kind: date
            set: ['from {date} to {date}', 'soon']
            unset: ['not before {date}']
          ceasefire:
            title: Ceasefire
            states: {agreed: ['agreed on {date}']}
        """,
    )

    assert rule_dir.errors() == [
        "dates.yaml:5:27: a date 'set' pattern needs exactly one {date} placeholder",
        "dates.yaml:5:37: a date 'set' pattern needs exactly one {date} placeholder",
        "dates.yaml:6:25: {date} is only allowed in the 'set' patterns of a date item",
        "dates.yaml:9:34: {date} is only allowed in the 'set' patterns of a date item",
    ]


def test_a_pattern_with_an_expanded_variable_is_located_at_the_pattern(rule_dir: RuleDir) -> None:
    rule_dir.write(
        "env.yaml",
        """\
        items:
          ceasefire:
            title: Ceasefire
            states: {agreed: ['${VERB} (a truce']}
        """,
    )

    # The error lies after the expanded text, whose columns no longer match the file: blame the string.
    assert rule_dir.errors(env={"VERB": "signed", "VIGIL_RULE_VARIABLES": "VERB"}) == [
        "env.yaml:4:23: invalid regex: missing )"
    ]
