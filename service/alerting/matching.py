"""Which state changes an alert rule matches (who hears about them is delivery's routing: delivery/route.py)."""

from __future__ import annotations

from service.events.catalog import ItemStateChanged
from service.rules.models import UNANNOUNCED, AlertCondition, AlertRule, ItemSpec


def matches(rule: AlertRule, change: ItemStateChanged, item: ItemSpec, corroborating_sources: int) -> bool:
    """Whether ``rule`` fires for ``change`` of ``item``; every condition the rule gives must hold.

    ``corroborating_sources`` is the number of distinct sources behind the change, compared with the
    rule's ``min_sources``.
    """
    when = rule.when
    if corroborating_sources < rule.min_sources:
        return False
    if change.from_value == change.to_value:  # not a change: nothing to announce
        return False
    return (
        _item_selected(when, change.item, item)
        and (when.from_ is None or when.from_ == change.from_value)
        and (when.to is None or when.to == change.to_value)
        and (when.date is None or date_change_matches(when.date, change, item))
    )


def date_change_matches(kind: str, change: ItemStateChanged, item: ItemSpec) -> bool:
    """Whether a date item's change is of ``kind``: ``set``, ``changed``, ``unset`` or ``any``.

    set: unannounced → a date; changed: one date → another; unset: a date → unannounced. A status
    item never matches a date condition.
    """
    if item.kind != "date":
        return False
    was_set = change.from_value != UNANNOUNCED
    is_set = change.to_value != UNANNOUNCED
    return {
        "set": not was_set and is_set,
        "changed": was_set and is_set and change.from_value != change.to_value,
        "unset": was_set and not is_set,
        "any": True,
    }.get(kind, False)


def _item_selected(when: AlertCondition, item_id: str, item: ItemSpec) -> bool:
    if when.item is not None and when.item != item_id:
        return False
    if when.items and item_id not in when.items:
        return False
    return not (when.tags and not set(when.tags) & set(item.tags))
