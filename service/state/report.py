"""Reading item states for people: each item's value, since when, and the sentence that set it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text

from service.events.catalog import ItemStateChanged
from service.rules.models import RuleSet
from service.state.decision import initial_value
from service.store.recorder import EventStore
from service.store.records import RecordedEvent


@dataclass(frozen=True)
class ItemReport:
    """One item's current state as the projection holds it."""

    item: str
    title: str
    value: str
    since: str | None
    evidence_count: int
    sentence: str | None = None
    link: str | None = None
    sources: list[str] = field(default_factory=list)


def current_states(store: EventStore, rules: RuleSet) -> list[ItemReport]:
    """Every item of ``rules``, in name order, with the evidence behind its current value."""
    with store.reading() as conn:
        rows = {
            r[0]: r
            for r in conn.execute(
                text("SELECT item, value, since, changed_position, evidence_count FROM item_states")
            )
        }
    changes = store.read_events(row[3] for row in rows.values() if row[0] in rules.items and row[3])
    reports = []
    for item_id, spec in sorted(rules.items.items()):
        _, value, since, changed_position, evidence_count = rows.get(item_id, (item_id, None, None, None, 0))
        change = _change_of(changes.get(changed_position)) if changed_position else None
        reports.append(
            ItemReport(
                item=item_id,
                title=spec.title,
                value=value or initial_value(spec),
                since=since,
                evidence_count=evidence_count,
                sentence=change.sentences[0] if change and change.sentences else None,
                link=change.links[0] if change and change.links else None,
                sources=list(change.sources) if change else [],
            )
        )
    return reports


def format_report(report: ItemReport) -> list[str]:
    """The lines ``vigil state`` prints for one item."""
    head = f"{report.item}: {report.value}" + (f"  (since {report.since})" if report.since else "  (initial)")
    lines = [head, f"  {report.title}"]
    if report.sentence:
        lines.append(f'  "{report.sentence}"')
        lines.append(f"  {', '.join(report.sources)} {report.link}")
    return lines


def _change_of(event: RecordedEvent | None) -> ItemStateChanged | None:
    return ItemStateChanged.from_data(event.data) if event and event.type == ItemStateChanged.TYPE else None
