"""One item's history as the dashboard draws it: its state changes, and every piece of evidence found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from service.events.catalog import EvidenceFound
from service.history.timeline import TimelineRow, item_timeline
from service.rules.models import ItemSpec
from service.state.decision import initial_value
from service.state.report import ItemReport
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
    language: str = "en"  # the language the sentence is written in (en, uk, ru)


@dataclass(frozen=True)
class ItemHistory:
    """What the timeline picture and the change list of one item are drawn from."""

    item: str
    initial: str
    changes: list[TimelineRow]
    evidence: list[EvidenceMark]  # the newest ones, at most the limit asked for
    evidence_total: int
    earlier_changes: bool = False  # ``changes`` are the newest ones; there were more before them
    paged: bool = False  # ``changes`` are a page older than the newest (the page was asked ``before``)


def item_history(
    store: EventStore, report: ItemReport, spec: ItemSpec, max_evidence: int, max_changes: int | None = None,
    before: int | None = None,
) -> ItemHistory:
    """The item's state changes (oldest first; the newest ``max_changes`` when given) and its
    ``max_evidence`` most recently found pieces of evidence (drawn by publication time): a page stays
    light however much a story has been reported, as only those events are read from the log."""
    item = report.item
    # One change more than asked for tells whether there were earlier ones.
    changes = item_timeline(store, item, None, None, last=None if max_changes is None else max_changes + 1,
                            before=before)
    earlier_changes = max_changes is not None and len(changes) > max_changes
    if earlier_changes:
        changes = changes[1:]
    # A change lists its evidence by sentence and link, not by id: match the evidence events on those.
    decisive = {(sentence, link) for row in changes for sentence, link in zip(row.sentences, row.links, strict=False)}
    found_events = (
        store.read_stream(f"item:{item}", types=[EvidenceFound.TYPE], last=max_evidence) if max_evidence > 0 else []
    )
    evidence = []
    for event in found_events:
        found = EvidenceFound.from_data(event.data)
        evidence.append(
            EvidenceMark(
                value=found.value,
                sentence=found.sentence,
                source=found.source,
                link=found.link,
                published=_aware(datetime.fromisoformat(found.published)),
                decisive=(found.sentence, found.link) in decisive,
                language=found.language,
            )
        )
    evidence.sort(key=lambda mark: mark.published)
    return ItemHistory(
        item=item,
        initial=initial_value(spec),
        changes=changes,
        evidence=evidence,
        evidence_total=report.evidence_count,
        earlier_changes=earlier_changes,
        paged=before is not None,
    )


def _aware(moment: datetime) -> datetime:
    # Stored times are UTC; an offset-less one (from an old event) is read as UTC, never compared as naive.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
