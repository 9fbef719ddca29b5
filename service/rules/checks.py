"""Checks that need the whole validated rule set: references between definitions, kinds, patterns, URLs.

Each problem is reported at the node the author has to change (a pattern's error at the column inside
the pattern), so that ``vigil check`` can name the file, line and column.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import jinja2

from service.rules.errors import Location, NodePath, RuleError, SourceMap, did_you_mean
from service.rules.models import AlertRule, ItemSpec, LanguagePatterns, RuleSet
from service.rules.patterns import PatternError, compile_pattern, probe_pattern
from service.rules.subscriber_limits import group_problem, name_problem, urls_problem
from service.rules.word_patterns import PREFIX, is_words_pattern


@dataclass(frozen=True)
class Unchecked:
    """Names that are defined but failed validation: references to them are not errors, and what
    depends on their content (an alert's states) cannot be checked."""

    items: frozenset[str] = frozenset()
    subscribers: frozenset[str] = frozenset()
    #: Items that did not validate, with their invalid fields left out: their patterns can still be checked.
    partial_items: Mapping[str, ItemSpec] = dataclasses.field(default_factory=dict)
    #: Whether every item's tags are known (no item that failed validation lost its tags).
    tags_known: bool = True


def check_rules(rules: RuleSet, where: SourceMap, unchecked: Unchecked | None = None) -> list[RuleError]:
    """Every cross-reference and semantic problem in ``rules``; ``where`` locates the nodes.

    ``unchecked`` names definitions left out of ``rules`` because they did not validate.
    """
    unchecked = unchecked or Unchecked()
    errors = _check_sources(rules, where)
    for name, spec in rules.items.items():
        errors += _check_item(name, spec, where)
    for name, spec in unchecked.partial_items.items():
        errors += _item_pattern_errors(("items", name), spec, where)
    errors += _check_alerts(rules, where, unchecked)
    errors += _check_subscribers(rules, where, unchecked)
    return errors


def item_states(spec: ItemSpec) -> list[str]:
    """The states a status item can be in: its ``initial`` state (which needs no patterns) and ``states``."""
    return spec.state_names()


def _check_sources(rules: RuleSet, where: SourceMap) -> list[RuleError]:
    errors = []
    for name, source in rules.sources.items():
        parts = urlsplit(source.url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            # The URL is not echoed: a feed URL can carry a token.
            errors.append(
                where.where(("sources", name, "url")).error(
                    f"source '{name}': url must be an http:// or https:// address"
                )
            )
    return errors


def _check_item(name: str, spec: ItemSpec, where: SourceMap) -> list[RuleError]:
    base: NodePath = ("items", name)
    errors = []
    for index, group in enumerate(spec.scope):
        if not group:
            errors.append(where.where((*base, "scope", index)).error("scope group is empty: list at least one term"))
        for position, term in enumerate(group):
            if not term.strip():
                errors.append(where.where((*base, "scope", index, position)).error("scope term is empty"))
    checker = _check_status_item if spec.kind == "status" else _check_date_item
    return errors + checker(name, spec, where)


def _check_status_item(name: str, spec: ItemSpec, where: SourceMap) -> list[RuleError]:
    base: NodePath = ("items", name)
    errors = []
    if not spec.states and not any(patterns.states for patterns in spec.languages.values()):
        errors.append(where.key(base).error(f"status item '{name}' needs at least one state under 'states'"))
    for field in ("set", "unset"):
        if getattr(spec, field):
            errors.append(
                where.key((*base, field)).error(
                    f"'{field}' is for date items: add 'kind: date', or put the patterns under 'states'"
                )
            )
    if not spec.initial.strip():
        errors.append(where.where((*base, "initial")).error("the initial state needs a name"))
    errors += _item_pattern_errors(base, spec, where)
    known = item_states(spec)
    for source, targets in (spec.transitions or {}).items():
        if source not in known:
            errors.append(
                where.key((*base, "transitions", source)).error(
                    f"unknown state '{source}' of item '{name}'{did_you_mean(source, known)}"
                )
            )
        for index, target in enumerate(targets):
            if target not in known:
                errors.append(
                    where.where((*base, "transitions", source, index)).error(
                        f"unknown state '{target}' of item '{name}'{did_you_mean(target, known)}"
                    )
                )
    return errors


def _check_date_item(name: str, spec: ItemSpec, where: SourceMap) -> list[RuleError]:
    base: NodePath = ("items", name)
    errors = []
    if spec.states:
        errors.append(
            where.key((*base, "states")).error(
                "a date item has no 'states': its value is a date, announced by 'set' patterns "
                "and withdrawn by 'unset' patterns"
            )
        )
    if not spec.set and not any(patterns.set for patterns in spec.languages.values()):
        errors.append(
            where.key(base).error(f"date item '{name}' needs at least one 'set' pattern containing {{date}}")
        )
    if "initial" in spec.model_fields_set:
        errors.append(where.key((*base, "initial")).error("a date item starts unannounced: remove 'initial'"))
    if spec.transitions is not None:
        errors.append(where.key((*base, "transitions")).error("'transitions' is for status items"))
    return errors + _item_pattern_errors(base, spec, where)


def _item_pattern_errors(base: NodePath, spec: ItemSpec, where: SourceMap) -> list[RuleError]:
    """The problems of every pattern of an item: its states' (status) or its set and unset patterns (date)."""
    errors = []
    blocks: list[tuple[NodePath, ItemSpec | LanguagePatterns]] = [(base, spec)]
    blocks += [((*base, "languages", language), patterns) for language, patterns in spec.languages.items()]
    for path, block in blocks:
        if spec.kind == "status":
            for state, patterns in block.states.items():
                for index, pattern in enumerate(patterns):
                    errors += _pattern_errors(pattern, (*path, "states", state, index), where, date=False)
            if path != base:
                errors += _misplaced(path, block, ("set", "unset"), "a status item's languages hold 'states'", where)
            continue
        for index, pattern in enumerate(block.set):
            errors += _pattern_errors(pattern, (*path, "set", index), where, date=True)
        for index, pattern in enumerate(block.unset):
            errors += _pattern_errors(pattern, (*path, "unset", index), where, date=False)
        if path != base:
            errors += _misplaced(path, block, ("states",), "a date item's languages hold 'set' and 'unset'", where)
    return errors


def _misplaced(path: NodePath, block: ItemSpec | LanguagePatterns, fields: tuple[str, ...], reason: str,
               where: SourceMap) -> list[RuleError]:
    return [where.key((*path, name)).error(f"'{name}' does not belong here: {reason}")
            for name in fields if getattr(block, name)]


def _pattern_errors(pattern: str, path: NodePath, where: SourceMap, *, date: bool) -> list[RuleError]:
    try:
        slow = probe_pattern(compile_pattern(pattern, date=date))
    except PatternError as exc:
        slow = exc
    if slow is None:
        return []
    node = where.node(path)
    if is_words_pattern(pattern) and not (node is not None and node.scalar and (node.text or "").startswith(PREFIX)):
        # Written as {words: ...}: the column is one inside the mapping's 'words' value.
        inside = where.within((*path, "words"), slow.column - 1 - len(PREFIX), pattern[len(PREFIX):])
        return [inside.error(slow.message)]
    return [where.within(path, slow.column - 1, pattern).error(slow.message)]


def _check_alerts(rules: RuleSet, where: SourceMap, unchecked: Unchecked) -> list[RuleError]:
    errors = []
    first: dict[str, Location] = {}
    for index, alert in enumerate(rules.alerts):
        base: NodePath = ("alerts", index)
        name_at = where.where((*base, "name"))
        if alert.name in first:
            errors.append(name_at.error(f"alert '{alert.name}' is already defined at {first[alert.name]}"))
        else:
            first[alert.name] = name_at
        problem = group_problem(alert.group)
        if problem:
            errors.append(where.where((*base, "group")).error(problem))
        errors += _check_condition(rules, alert, base, where, unchecked)
        subscribers = list(rules.subscribers)
        for position, subscriber in enumerate(alert.notify):
            if subscriber not in rules.subscribers and subscriber not in unchecked.subscribers:
                errors.append(
                    where.where((*base, "notify", position)).error(
                        f"unknown subscriber '{subscriber}'{did_you_mean(subscriber, subscribers)}"
                    )
                )
        errors += _template_errors(alert, base, where)
    return errors


def _check_condition(
    rules: RuleSet, alert: AlertRule, base: NodePath, where: SourceMap, unchecked: Unchecked
) -> list[RuleError]:
    when = alert.when
    condition: NodePath = (*base, "when")
    errors = []
    named: list[tuple[str, NodePath]] = []
    if when.item is not None:
        named.append((when.item, (*condition, "item")))
    named += [(item, (*condition, "items", index)) for index, item in enumerate(when.items)]
    for item, path in named:
        if item not in rules.items and item not in unchecked.items:
            known = _items(rules, unchecked)
            errors.append(where.where(path).error(f"unknown item '{item}'{did_you_mean(item, known)}"))
    # The tags and states of an item that did not validate are unknown: what depends on them is not judged.
    if not unchecked.items or unchecked.tags_known:
        specs = [*rules.items.values(), *unchecked.partial_items.values()]
        for index, tag in enumerate(when.tags):
            if not any(tag in spec.tags for spec in specs):
                errors.append(where.where((*condition, "tags", index)).error(f"no item has the tag '{tag}'"))
    if unchecked.items and (not named or any(item in unchecked.items for item, _ in named)):
        return errors

    if named:
        candidates = {item: rules.items[item] for item, _ in named if item in rules.items}
        if not candidates:
            return errors  # the unknown items are reported; their states cannot be checked
        whose = f"item '{named[0][0]}'" if len(named) == 1 else "the items it names"
    elif when.tags:
        candidates = {name: spec for name, spec in rules.items.items() if set(spec.tags) & set(when.tags)}
        whose = "the items with its tags"
    else:
        candidates = dict(rules.items)
        whose = "any item"
    status = [spec for spec in candidates.values() if spec.kind == "status"]
    dates = [spec for spec in candidates.values() if spec.kind == "date"]

    for key, value in (("from", when.from_), ("to", when.to)):
        if value is None:
            continue
        at = where.where((*condition, key))
        if not status:
            errors.append(
                at.error(f"'{key}' is for status items, and {whose} is not one: use 'date: set|changed|unset|any'")
            )
            continue
        states = list(dict.fromkeys(state for spec in status for state in item_states(spec)))
        if value not in states:
            errors.append(at.error(f"'{value}' is not a state of {whose}{did_you_mean(value, states)}"))
    if when.date is not None and not dates:
        errors.append(
            where.where((*condition, "date")).error(
                f"'date' is for date items, and {whose} is not one: use 'from' and 'to' for status items"
            )
        )
    return errors


def _template_errors(alert: AlertRule, base: NodePath, where: SourceMap) -> list[RuleError]:
    errors = []
    environment = jinja2.Environment(autoescape=False)  # noqa: S701 - only parsed, never rendered here
    for field in ("title", "body"):
        template = getattr(alert, field)
        if template is None:
            continue
        try:
            environment.parse(template)
        except jinja2.TemplateSyntaxError as exc:
            # Point at the template's line in the file (exact for one-line and literal block templates).
            offset = sum(len(line) for line in template.splitlines(keepends=True)[: max(exc.lineno, 1) - 1])
            at = where.within((*base, field), offset, template)
            errors.append(at.error(f"template syntax error: {exc.message}"))
    return errors


def _check_subscribers(rules: RuleSet, where: SourceMap, unchecked: Unchecked) -> list[RuleError]:
    errors = []
    for name, subscriber in rules.subscribers.items():
        for problem in (name_problem(name), urls_problem(subscriber.urls)):
            if problem:
                errors.append(where.where(("subscribers", name)).error(problem))
        problem = group_problem(subscriber.group)
        if problem:
            errors.append(where.where(("subscribers", name, "group")).error(problem))
        for index, item in enumerate(subscriber.items):
            if item not in rules.items and item not in unchecked.items:
                errors.append(
                    where.where(("subscribers", name, "items", index)).error(
                        f"unknown item '{item}'{did_you_mean(item, _items(rules, unchecked))}"
                    )
                )
    return errors


def _items(rules: RuleSet, unchecked: Unchecked) -> list[str]:
    """Every item name defined, whether or not its definition validated."""
    return [*rules.items, *sorted(unchecked.items - set(rules.items))]
