"""Every item's state as Vigil knew it at a moment, computed from the log (not from the projection).

"Known at" means recorded at or before that moment: the honest time-travel answer to "what did we know
on the 5th?" A story published on the 5th but only read on the 6th was not known on the 5th.
"""

from __future__ import annotations

from datetime import datetime

from service.events.catalog import ItemStateChanged
from service.rules.models import RuleSet
from service.state.decision import initial_value
from service.state.report import ItemReport
from service.store.recorder import EventStore


def states_at(store: EventStore, rules: RuleSet, moment: datetime) -> list[ItemReport]:
    """Each item of ``rules`` with the last change recorded at or before ``moment``."""
    latest: dict[str, tuple[ItemStateChanged, int]] = {}
    evidence_count: dict[str, int] = {}
    for event in store.read_all(0, batch_size=5000, types=[ItemStateChanged.TYPE, "EvidenceFound"]):
        if event.recorded_at > moment:
            break
        if event.type == "EvidenceFound":
            evidence_count[event.data["item"]] = evidence_count.get(event.data["item"], 0) + 1
        else:
            latest[event.data["item"]] = (ItemStateChanged.from_data(event.data), event.position)
    reports = []
    for item_id, spec in sorted(rules.items.items()):
        change = latest.get(item_id, (None, 0))[0]
        reports.append(ItemReport(
            item=item_id, title=spec.title, value=change.to_value if change else initial_value(spec),
            since=change.published if change else None, evidence_count=evidence_count.get(item_id, 0),
            sentence=change.sentences[0] if change and change.sentences else None,
            link=change.links[0] if change and change.links else None,
            sources=list(change.sources) if change else [],
        ))
    return reports
