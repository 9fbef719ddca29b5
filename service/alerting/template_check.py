"""``vigil check`` for alert templates: each rule's templates rendered for every item it can fire for.

A template that names a variable that does not exist, divides by zero or hits a limit of the sandbox is
reported as ``file:line:col: message`` at the template's line in the rule file, before any alert needs it.
Each item the rule can fire for gives sample changes with its own title, kind and states.
"""

from __future__ import annotations

from service.alerting.templates import AlertContext, check_templates
from service.rules.errors import RuleError, SourceMap
from service.rules.models import UNANNOUNCED, AlertRule, ItemSpec, RuleSet

_SAMPLE_DAYS = ("2025-06-09", "2025-06-16")
#: Items sampled per rule: a rule for "any item" in a large rule set need not render for each one.
MAX_SAMPLED_ITEMS = 20


def template_problems(rules: RuleSet, where: SourceMap) -> list[RuleError]:
    """Every alert rule's template failures, rendered for sample changes of the items it can fire for."""
    errors: list[RuleError] = []
    for index, alert in enumerate(rules.alerts):
        if alert.title is None and alert.body is None:
            continue
        samples = [sample for item_id, spec in _fired_for(alert, rules) for sample in _samples(alert, item_id, spec)]
        for problem in check_templates(alert, samples or None):
            if problem.syntax:
                continue  # reported by the rule checks, which need no rendering
            template = getattr(alert, problem.part) or ""
            offset = sum(len(line) for line in template.splitlines(keepends=True)[: problem.line - 1])
            at = where.within(("alerts", index, problem.part), offset, template)
            errors.append(at.error(problem.message.split(": ", 1)[1]))
    return errors


def _fired_for(alert: AlertRule, rules: RuleSet) -> list[tuple[str, ItemSpec]]:
    when = alert.when
    named = ([when.item] if when.item else []) + list(when.items)
    if named:
        found = [(item, rules.items[item]) for item in dict.fromkeys(named) if item in rules.items]
    else:
        found = [(item, spec) for item, spec in rules.items.items()
                 if not when.tags or set(spec.tags) & set(when.tags)]
    return found[:MAX_SAMPLED_ITEMS]


def _samples(alert: AlertRule, item_id: str, spec: ItemSpec) -> list[AlertContext]:
    common = {"item_id": item_id, "item_title": spec.title, "kind": spec.kind,
              "sentences": [f"Sample evidence for {spec.title}."], "links": ["https://news.example.org/a"],
              "sources": ["example"], "published": "2025-06-02T14:05:00+00:00", "rule": alert.name,
              "severity": alert.severity}
    when = alert.when
    if spec.kind == "date":
        changes = [(UNANNOUNCED, _SAMPLE_DAYS[0]), (_SAMPLE_DAYS[0], _SAMPLE_DAYS[1]), (_SAMPLE_DAYS[0], UNANNOUNCED)]
    else:
        states = spec.state_names()
        targets = [when.to] if when.to else [state for state in states if state != (when.from_ or spec.initial)]
        changes = [(when.from_ or spec.initial, target) for target in targets or states]
    return [AlertContext(from_value=old, to_value=new, **common) for old, new in changes]  # type: ignore[arg-type]


