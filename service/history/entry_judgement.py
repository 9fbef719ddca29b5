"""``vigil explain --entry``: a recorded entry judged again with the rules in force when it was read.

The rules are the ones the last ``RulesLoaded`` before the entry recorded (v2 events carry the items and
cue lists). An older log recorded only a hash: then the current rules are used when their hash is the
same, and otherwise with a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.events.catalog import EntryObserved, EntryRevised, RulesLoaded
from service.extraction.extractor import Extractor
from service.extraction.types import SentenceReport
from service.rules.loader import LoadedRules
from service.rules.models import RuleSet
from service.state.tracker import ItemTracker
from service.store.recorder import EventStore
from service.store.records import RecordedEvent

_ENTRY_TYPES = (EntryObserved.TYPE, EntryRevised.TYPE)


class UnknownEntry(LookupError):
    """No recorded entry has that guid or position."""


@dataclass(frozen=True)
class EntryJudgement:
    """A recorded entry, the rules it was judged with (and where they came from), and the reports."""

    entry: RecordedEvent
    rules_note: str
    reports: list[SentenceReport]


def find_entry(store: EventStore, key: str) -> RecordedEvent:
    """The entry event at position ``key``, or the latest one with guid ``key``; UnknownEntry if none."""
    if key.isdigit():
        event = store.read_event(int(key))
        if event is not None and event.type in _ENTRY_TYPES:
            return event
    found = None
    for event in store.read_all(types=list(_ENTRY_TYPES)):
        if event.data.get("guid") == key:
            found = event
    if found is None:
        raise UnknownEntry(f"no recorded entry has the guid or position {key!r}")
    return found


def recorded_rules(store: EventStore) -> RuleSet | None:
    """The items, cue lists and sources (URLs as shown, masked) of the newest rules the log recorded (None
    when none were kept in it; sources only from rules recorded since they were).

    What commands that only show the store's state use when no rule file is at hand."""
    newest = store.read_stream("config", types=[RulesLoaded.TYPE], last=1)
    recorded = newest[0].data.get("extraction") if newest else None
    if recorded is None:
        return None
    return RuleSet.model_validate(
        {"items": recorded["items"], "cues": recorded["cues"], "sources": recorded.get("sources", {})}
    )


def rules_at(store: EventStore, position: int, current: LoadedRules) -> tuple[RuleSet, str]:
    """The rule set in force at ``position``, and a line saying where it came from."""
    loaded = None
    for event in store.read_all(types=[RulesLoaded.TYPE]):
        if event.position > position:
            break
        loaded = event
    if loaded is None:
        return current.rules, "no rules were recorded before this entry: judged with the current rules"
    recorded = loaded.data.get("extraction")
    when = f"rules recorded at position {loaded.position} ({loaded.data['rules_hash'][:12]})"
    if recorded is not None:
        return RuleSet.model_validate({"items": recorded["items"], "cues": recorded["cues"]}), f"judged with the {when}"
    if loaded.data["rules_hash"] == current.hash:
        return current.rules, f"judged with the current rules, the same as the {when}"
    return current.rules, (f"the {when} were not kept in the log (an older version): judged with the current "
                           "rules, which differ")


def judge_entry(store: EventStore, key: str, current: LoadedRules, item: str | None = None) -> EntryJudgement:
    """Every sentence of the entry ``key``, with what matched (only ``item``'s matches when given)."""
    entry = find_entry(store, key)
    rules, note = rules_at(store, entry.position, current)
    if item is not None and item not in rules.items:
        raise UnknownEntry(f"no item {item!r} in the rules this entry was judged with")
    extractor = Extractor(rules)
    reports = extractor.explain(ItemTracker(rules, extractor).entry_text(entry))
    if item is not None:
        reports = [SentenceReport(r.sentence, [f for f in r.findings if f.item == item],
                                  [v for v in r.vetoes if v.item == item]) for r in reports]
    return EntryJudgement(entry, note, reports)
