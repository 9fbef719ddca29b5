"""One item's history as the dashboard draws it: its state changes, and every piece of evidence found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from service.events.catalog import EvidenceFound
from service.history.timeline import TimelineRow, item_timeline
from service.rules.models import ItemSpec
from service.state.tracker import initial_value
from service.store.recorder import EventStore


@dataclass(frozen=True)
class EvidenceMark:
    """A sentence found to support a value of the item, and whether it moved the state."""

    value: str
    sentence: str
    source: str
    link: str
    published: datetime
    decisive: bool


@dataclass(frozen=True)
class ItemHistory:
    """What the timeline picture and the change list of one item are drawn from."""

    item: str
    initial: str
    changes: list[TimelineRow]
    evidence: list[EvidenceMark]  # the newest ones, at most the limit asked for
    evidence_total: int


def item_history(store: EventStore, item: str, spec: ItemSpec, max_evidence: int) -> ItemHistory:
    """The item's state changes (oldest first) and its newest ``max_evidence`` pieces of evidence (by
    publication time): a page stays light however much a story has been reported."""
    changes = item_timeline(store, item, None, None)
    # A change lists its evidence by sentence and link, not by id: match the evidence events on those.
    decisive = {(sentence, link) for row in changes for sentence, link in zip(row.sentences, row.links, strict=False)}
    evidence = []
    for event in store.read_stream(f"item:{item}"):
        if event.type != EvidenceFound.TYPE:
            continue
        found = EvidenceFound.from_data(event.data)
        evidence.append(
            EvidenceMark(
                value=found.value,
                sentence=found.sentence,
                source=found.source,
                link=found.link,
                published=_aware(datetime.fromisoformat(found.published)),
                decisive=(found.sentence, found.link) in decisive,
            )
        )
    evidence.sort(key=lambda mark: mark.published)
    return ItemHistory(
        item=item,
        initial=initial_value(spec),
        changes=changes,
        evidence=evidence[-max_evidence:] if max_evidence > 0 else [],
        evidence_total=len(evidence),
    )


def _aware(moment: datetime) -> datetime:
    # Stored times are UTC; an offset-less one (from an old event) is read as UTC, never compared as naive.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
