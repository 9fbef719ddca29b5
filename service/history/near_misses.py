"""Near misses: recent sentences where an item's pattern matched but a guard vetoed it.

Computed on demand from the recorded entries (never stored: a veto is no evidence), with the rules
loaded now, so that a rule author sees what the guards keep out ("why didn't it alert?").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from service.events.catalog import EntryObserved, EntryRevised
from service.extraction.extractor import Extractor
from service.rules.loader import LoadedRules
from service.rules.models import RuleSet
from service.state.tracker import ItemTracker
from service.store.recorder import EventStore

#: How many of the newest log positions are searched for entries, and how many near misses are shown.
SEARCHED_POSITIONS = 5_000
SHOWN = 10
#: Positions read at a time, newest window first: the search stops as soon as enough are found.
_WINDOW = 1_000


@dataclass(frozen=True)
class NearMiss:
    """One vetoed match: the entry it was in, the value it would have been evidence for, and why not."""

    position: int
    published: str
    source: str
    link: str
    sentence: str
    value: str
    guard: str
    cue: str
    reason: str


class NearMissMemory:
    """Near misses already worked out, per item under one rule set, and how far the log was searched.

    A recorded entry never changes, so under the same rules its near misses never do either: a page asked
    again searches only the positions appended since (a dashboard reloaded every few seconds read and
    tested the same 3,500 entries of an aged log each time). Shared by a web server's request threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[int, list[NearMiss]]] = {}

    def recall(self, item: str, rules_hash: str) -> tuple[int, list[NearMiss]] | None:
        """The position searched up to and the newest near misses found there, if this was asked before."""
        with self._lock:
            return self._known.get((item, rules_hash))

    def keep(self, item: str, rules_hash: str, searched_upto: int, found: list[NearMiss]) -> None:
        """Remember a search; what was remembered under other rules is dropped (those are not loaded now)."""
        with self._lock:
            for key in [key for key in self._known if key[1] != rules_hash]:
                del self._known[key]
            self._known[(item, rules_hash)] = (searched_upto, found)


def near_misses(
    store: EventStore, loaded: LoadedRules, item: str, limit: int = SHOWN, memory: NearMissMemory | None = None
) -> list[NearMiss]:
    """The item's newest near misses (newest entry first), from the last ``SEARCHED_POSITIONS`` of the log;
    with ``memory``, positions searched by an earlier call under the same rules are not searched again."""
    spec = loaded.rules.items.get(item)
    if spec is None:
        return []
    rules = RuleSet(items={item: spec}, cues=loaded.rules.cues)
    extractor = Extractor(rules)
    tracker = ItemTracker(rules, extractor)
    last = store.last_position()
    floor = max(0, last - SEARCHED_POSITIONS)
    remembered = memory.recall(item, loaded.hash) if memory is not None else None
    earlier: list[NearMiss] = []
    if remembered is not None and remembered[0] <= last:
        searched_upto, known = remembered
        earlier = [miss for miss in known if miss.position > floor]
        floor = max(floor, searched_upto)
    found: list[NearMiss] = []
    upto = last
    while upto > floor and len(found) < limit:
        after = max(floor, upto - _WINDOW)
        # One window's worth per batch: the search stops at the window's end, not a batch later.
        for event in store.read_all(after, batch_size=_WINDOW, types=[EntryObserved.TYPE, EntryRevised.TYPE]):
            if event.position > upto:
                break
            # Most entries name none of the item's words: tested on the raw text, before any other work.
            if not extractor.might_match_text(str(event.data["title"]), str(event.data["text"])):
                continue
            entry = tracker.entry_text(event)
            for report in extractor.explain(entry):
                found.extend(NearMiss(event.position, str(event.data["published"]), str(event.data["source"]),
                                      str(event.data["link"]), veto.sentence, veto.value, veto.guard, veto.cue,
                                      veto.reason)
                             for veto in report.vetoes if veto.guard != "scope")
        upto = after
    found.sort(key=lambda miss: miss.position, reverse=True)
    # What was found earlier is older than anything found now: it fills the list only after the new.
    newest = (found + earlier)[:limit]
    if memory is not None:
        memory.keep(item, loaded.hash, last, newest)
    return newest
