"""The item tracker: each entry observed (or revised) is read for evidence, and items decide their state.

For every finding it records ``EvidenceFound`` on the item's stream and, when the item's decision
says so, ``ItemStateChanged`` with the evidence that caused it, in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from service.events.catalog import EntryObserved, EntryRevised, EntrySkipped, EvidenceFound, ItemStateChanged
from service.extraction.extractor import Extractor
from service.extraction.types import EntryText, Finding
from service.rules.models import ItemSpec, RuleSet
from service.sources.language import detect_language
from service.state.decision import Change, Evidence, ItemState, Support, initial_value
from service.state.fold import fold
from service.state.projection import read_item
from service.store.hashing import timestamp_text
from service.store.recorder import Transaction
from service.store.records import NewEvent, RecordedEvent

log = logging.getLogger("vigil.items")

CONSUMER = "items"
TYPES = (EntryObserved.TYPE, EntryRevised.TYPE)


def evidence_id(entry_position: int, finding: Finding) -> str:
    """A stable id for one finding in one recorded entry."""
    key = f"{entry_position}\x1f{finding.item}\x1f{finding.value}\x1f{finding.sentence}"
    return "ev-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def publisher_time(data: dict[str, object]) -> datetime:
    """An entry event's publication time in the publisher's own UTC offset (UTC when it is unknown), so a
    weekday or "tomorrow" is counted from the publisher's day, not from the day it was in UTC."""
    published = datetime.fromisoformat(str(data["published"]))
    offset = data.get("published_offset_minutes")
    return published if not isinstance(offset, int) else published.astimezone(timezone(timedelta(minutes=offset)))


@dataclass(frozen=True)
class ItemTracker:
    """Turns entries into evidence and state changes under one rule set."""

    rules: RuleSet
    extractor: Extractor

    def entry_text(self, event: RecordedEvent) -> EntryText:
        """What extraction reads of a recorded entry."""
        data = event.data
        return EntryText(
            source=data["source"],
            guid=data["guid"],
            link=data["link"],
            title=data["title"],
            text=data["text"],
            published=publisher_time(data),
            # Recorded since EntryObserved v3; older entries are detected now, as they would have been then.
            language=data.get("language") or detect_language(data["title"], data["text"]),
        )

    def handle(self, tx: Transaction, event: RecordedEvent) -> None:
        """Record the evidence in one entry and any state changes it causes."""
        entry = self.entry_text(event)
        extraction = self.extractor.read(entry)
        for skipped in extraction.skipped:
            if skipped.item not in self.rules.items:
                continue
            log.warning("entry %s of %s not read in full for %s: %s", entry.guid, entry.source, skipped.item,
                        skipped.reason, extra={"item": skipped.item, "source": entry.source, "guid": entry.guid})
            record = EntrySkipped(item=skipped.item, reason=skipped.reason, source=entry.source, link=entry.link,
                                  guid=entry.guid, published=event.data["published"])
            tx.append(f"item:{skipped.item}", [NewEvent(EntrySkipped.TYPE, record.to_data(), {
                "causation_id": event.position, "correlation_id": f"{entry.source}:{entry.guid}",
                "source": entry.source,
            })])
        for finding in extraction.findings:
            spec = self.rules.items.get(finding.item)
            if spec is None:
                continue
            found = EvidenceFound(
                evidence_id=evidence_id(event.position, finding),
                item=finding.item,
                value=finding.value,
                sentence=finding.sentence,
                pattern=finding.pattern,
                source=entry.source,
                link=entry.link,
                guid=entry.guid,
                published=event.data["published"],
                language=entry.language,
            )
            value, since_text, support = read_item(tx.connection, finding.item)
            folded = fold(
                spec,
                _item_state(finding.item, spec, value, since_text, support),
                Evidence(
                    item=finding.item,
                    value=finding.value,
                    source=entry.source,
                    published=entry.published,
                    evidence_id=found.evidence_id,
                ),
            )
            metadata = {
                "causation_id": event.position,
                "correlation_id": f"{entry.source}:{entry.guid}",
                "source": entry.source,
            }
            events = [NewEvent(EvidenceFound.TYPE, found.to_data(), metadata)]
            evidence = _by_id(support)  # as read before this finding, which is added here
            evidence[found.evidence_id] = {"sentence": found.sentence, "link": found.link, "source": found.source}
            for decision in folded.changes:
                # A confirmation can be completed by a report older than the others (reports arrive in any
                # order): the value holds from the latest confirming report, and later decisions judge "older
                # than the current value" against that time, as reloaded from this event. A change caught
                # up on holds from the newer report that made it.
                since = decision.new_state.since
                if decision.change is None or since is None:  # a change always has both; keeps types honest
                    continue
                published = found.published if since == entry.published else timestamp_text(since)
                changed = _state_changed(finding.item, decision.change, evidence, published)
                events.append(NewEvent(ItemStateChanged.TYPE, changed.to_data(), metadata))
            tx.append(f"item:{finding.item}", events)


def _item_state(item: str, spec: ItemSpec, value: str | None, since: str | None,
                support: list[dict[str, Any]]) -> ItemState:
    """The decision state of a row of the item projection (``read_item``)."""
    return ItemState(
        item=item,
        value=value if value is not None else initial_value(spec),
        since=datetime.fromisoformat(since) if since else None,
        evidence_published=datetime.fromisoformat(since) if since else None,
        support=tuple(
            Support(
                value=s["value"],
                source=s["source"],
                published=datetime.fromisoformat(s["published"]),
                evidence_id=s["evidence_id"],
            )
            for s in support
        ),
    )


def _by_id(support: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The projection's kept evidence (sentence, link, source, ...) by evidence id."""
    return {s["evidence_id"]: s for s in support}


def _state_changed(
    item: str, change: Change, evidence: dict[str, dict[str, Any]], published: str
) -> ItemStateChanged:
    """The event of ``change``, carrying the sentences, links and sources of the evidence (by id) that
    decided it."""
    records = [evidence[e] for e in change.evidence_ids if e in evidence]
    return ItemStateChanged(
        item=item,
        from_value=change.from_value,
        to_value=change.to_value,
        evidence_ids=list(change.evidence_ids),
        sentences=[r["sentence"] for r in records],
        links=[r["link"] for r in records],
        sources=sorted({r["source"] for r in records}),
        published=published,
    )
