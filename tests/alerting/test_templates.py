"""Alert text: the default title and body, user templates, and template errors named clearly."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import pytest

from service.alerting.templates import (
    MAX_BODY,
    MAX_TITLE,
    AlertContext,
    AlertTemplateError,
    check_templates,
    render,
)
from service.rules.models import UNANNOUNCED, AlertRule

CEASEFIRE = AlertContext(
    item_id="ceasefire", item_title="Ceasefire", kind="status", from_value="none", to_value="agreed",
    sentences=["Negotiators in Geneva said both sides had agreed a full ceasefire.",
               "A ceasefire was agreed overnight, officials confirmed."],
    links=["https://wire.example.org/ceasefire", "https://daily.example.net/ceasefire"],
    sources=["wire", "daily"], published="2025-06-02T14:05:00+00:00", rule="ceasefire-change",
    severity="warning",
)
EXCHANGE = AlertContext(
    item_id="exchange_date", item_title="Date of the next prisoner exchange", kind="date",
    from_value=UNANNOUNCED, to_value="2025-06-09",
    sentences=["The exchange will take place on Monday, the ministry said."],
    links=["https://wire.example.org/exchange"], sources=["wire"], published="2025-06-07T09:30:00Z",
    rule="exchange-date", severity="info",
)


def rule(**fields: Any) -> AlertRule:
    return AlertRule.model_validate({"name": "ceasefire-change", **fields})


def test_default_title_and_body_carry_item_change_evidence_and_links() -> None:
    text = render(rule(), CEASEFIRE)
    title, body = text.title, text.body
    assert title == "Ceasefire: none → agreed"
    for sentence, link, source in zip(CEASEFIRE.sentences, CEASEFIRE.links, CEASEFIRE.sources, strict=True):
        assert f"“{sentence}”" in body
        assert link in body
        assert source in body
    assert "Ceasefire: changed from none to agreed." in body
    assert "2 June 2025 14:05 UTC" in body
    assert "ceasefire-change" in body


@pytest.mark.parametrize(("from_value", "to_value", "title"), [
    (UNANNOUNCED, "2025-06-09", "Date of the next prisoner exchange: announced 9 June 2025"),
    ("2025-06-09", "2025-06-16", "Date of the next prisoner exchange: changed to 16 June 2025 (was 9 June 2025)"),
    ("2025-06-09", UNANNOUNCED, "Date of the next prisoner exchange: withdrawn (was 9 June 2025)"),
])
def test_default_titles_of_date_items(from_value: str, to_value: str, title: str) -> None:
    context = replace(EXCHANGE, from_value=from_value, to_value=to_value)
    assert render(rule(), context).title == title


def test_a_user_template_sees_the_context_and_the_filters() -> None:
    custom = rule(
        title="[{{ severity | upper }}] {{ item_title }} is now {{ to_label }}",
        body="{% for e in evidence %}{{ e.source }}: {{ e.sentence }}\n{% endfor %}"
             "on {{ to_value | human_date }}",
    )
    text = render(custom, EXCHANGE)
    title, body = text.title, text.body
    assert title == "[INFO] Date of the next prisoner exchange is now 9 June 2025"
    assert body == "wire: The exchange will take place on Monday, the ministry said.\non 9 June 2025"


def test_a_multi_line_title_is_folded_onto_one_line() -> None:
    assert render(rule(title="{{ item_title }}\n  {{ to_value }}\n"), CEASEFIRE).title == "Ceasefire agreed"


def test_check_templates_reports_a_syntax_error_naming_rule_part_and_line() -> None:
    broken = rule(body="Fine first line\n{% for e in evidence %}{{ e.sentence }")
    [problem] = check_templates(broken)
    assert problem.line == 2
    assert problem.message.startswith("alert rule 'ceasefire-change': body template line 2:")


def test_check_templates_reports_an_undefined_name() -> None:
    [problem] = check_templates(rule(title="{{ item_titel }}"))
    assert problem.message == "alert rule 'ceasefire-change': title template: 'item_titel' is undefined"


def test_check_templates_accepts_good_templates_and_the_defaults() -> None:
    assert check_templates(rule()) == []
    assert check_templates(rule(title="{{ change }}", body="{{ summary }} {{ sentences[0] }}")) == []


def test_the_sandbox_refuses_python_internals() -> None:
    errors = check_templates(rule(title="{{ item_title.__class__.__mro__ }}"))
    assert errors and "unsafe" in errors[0].message


def test_a_failing_user_template_falls_back_to_the_default_and_says_so() -> None:
    text = render(rule(title="{{ nope }}"), CEASEFIRE)
    title, body = text.title, text.body
    assert title == "Ceasefire: none → agreed"
    assert "[Vigil: alert rule 'ceasefire-change': title template: 'nope' is undefined" in body


def test_strict_rendering_raises_an_error_naming_the_rule() -> None:
    with pytest.raises(AlertTemplateError, match="alert rule 'ceasefire-change': title template: 'nope'"):
        render(rule(title="{{ nope }}"), CEASEFIRE, strict=True)


@pytest.mark.parametrize(("template", "error"), [
    ("{{ range(10**9)|length }}", "larger than a template may"),
    ("{{ 1/0 }}", "ZeroDivisionError"),
    ("{{ item_title + 3 }}", "TypeError"),
    ("{{ 'a' * 10**8 }}", "larger than a template may"),
    ("{{ 'x'|center(10**9) }}", "larger than a template may"),
    ("{{ '%999999999d' % 1 }}", "format width"),
    ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "longer than"),
])
def test_any_failure_of_a_user_template_falls_back_to_the_default_and_is_recorded(template: str, error: str) -> None:
    text = render(rule(title=template, body=template), CEASEFIRE)
    assert text.title == "Ceasefire: none → agreed"
    assert "Ceasefire: changed from none to agreed." in text.body
    assert len(text.errors) == 2
    assert all(error in message for message in text.errors)
    assert f"[Vigil: {text.errors[0]}; the default text was used]" in text.body


def test_long_rendered_text_is_cut_and_says_so() -> None:
    many = "{% for i in range(90000) %}{{ item_title }} {% endfor %}"
    text = render(rule(title=many, body=many), CEASEFIRE)
    assert len(text.title) <= MAX_TITLE
    assert len(text.body) <= MAX_BODY + 500  # the note about the cut follows the text
    assert "body template: the text was cut at" in text.body


def test_check_templates_names_the_line_of_a_runtime_failure() -> None:
    [problem] = check_templates(rule(body="fine\n{{ to_value }}\n{{ 1/0 }}"))
    assert (problem.part, problem.line) == ("body", 3)
    assert "ZeroDivisionError" in problem.message


def test_a_render_out_of_time_stops_alone_while_other_threads_render_in_time() -> None:
    """Every render shares one environment; each thread's time budget is its own."""
    endless = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    slow: list[Any] = []
    runner = threading.Thread(target=lambda: slow.append(render(rule(title=endless), CEASEFIRE)), daemon=True)
    runner.start()
    quick = []
    give_up = time.monotonic() + 30  # a budget the other renders kept moving would never run out
    while (runner.is_alive() or not quick) and time.monotonic() < give_up:
        quick.append(render(rule(title="{{ item_title }} now {{ to_value }}"), CEASEFIRE))
    assert not runner.is_alive(), "the slow render never ran out of time"
    assert len(quick) > 10
    assert all(text.title == "Ceasefire now agreed" and not text.errors for text in quick)
    assert len(slow[0].errors) == 1 and "longer than" in slow[0].errors[0]
