"""``vigil backtest``: what a rule set would have raised over the entries already recorded.

The entries are copied, in order, into a throwaway SQLite store, where the same item tracker and alert
engine as the daemon's run; nothing touches the live store and nothing is sent. The alerts are then
compared with the ones the live store actually raised, by (rule, item, new value).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from service.alerting import engine as alert_engine
from service.daemon.config_recording import record_rules
from service.daemon.pipeline import open_pipeline_store
from service.events.catalog import AlertRaised, EntryObserved, EntryRevised, ItemStateChanged
from service.extraction.extractor import Extractor
from service.rules.loader import LoadedRules
from service.state import tracker as item_tracker
from service.store.consumer import consume_all
from service.store.recorder import EventStore
from service.store.records import NewEvent


@dataclass(frozen=True)
class SimulatedAlert:
    """An alert as a rule set raised (or would have raised) it."""

    rule: str
    item: str
    to_value: str
    title: str
    sentence: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two alerts 'the same alert' across rule sets."""
        return (self.rule, self.item, self.to_value)


@dataclass(frozen=True)
class BacktestReport:
    """The alerts the new rules would raise, and how they differ from what was raised."""

    entries: int
    would_raise: list[SimulatedAlert]
    added: list[SimulatedAlert] = field(default_factory=list)
    removed: list[SimulatedAlert] = field(default_factory=list)
    changed: list[tuple[SimulatedAlert, SimulatedAlert]] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        """True when the new rules would have alerted differently."""
        return bool(self.added or self.removed or self.changed)


def _within(published: str, since: datetime | None, until: datetime | None) -> bool:
    moment = datetime.fromisoformat(published)
    return (since is None or moment >= since) and (until is None or moment <= until)


def alerts_in(store: EventStore, since: datetime | None = None, until: datetime | None = None) -> list[SimulatedAlert]:
    """The alerts a store raised, in order, for changes whose evidence was published in the window."""
    changes = {e.position: e for e in store.read_all(0, types=[ItemStateChanged.TYPE])}
    found = []
    for event in store.read_all(0, types=[AlertRaised.TYPE]):
        raised = AlertRaised.from_data(event.data)
        change = changes.get(raised.trigger_position)
        if change is None or not _within(change.data["published"], since, until):
            continue
        sentences = change.data.get("sentences") or [""]
        found.append(SimulatedAlert(raised.rule, raised.item, change.data["to_value"], raised.title, sentences[0]))
    return found


def backtest(live: EventStore, loaded: LoadedRules, *, since: datetime | None = None,
             until: datetime | None = None) -> BacktestReport:
    """Run ``loaded`` over the live store's entries in a scratch store and compare the alerts."""
    with tempfile.TemporaryDirectory(prefix="vigil-backtest-") as folder:
        scratch = open_pipeline_store(str(Path(folder) / "backtest.db"))
        try:
            record_rules(scratch, loaded)
            entries = 0
            batch: list[NewEvent] = []
            for event in live.read_all(0, types=[EntryObserved.TYPE, EntryRevised.TYPE]):
                if not _within(event.data["published"], since, until):
                    continue
                batch.append(NewEvent(event.type, event.data, dict(event.metadata)))
                entries += 1
                if len(batch) >= 500:
                    scratch.append("source:backtest", batch)
                    batch = []
            scratch.append("source:backtest", batch)
            tracker = item_tracker.ItemTracker(loaded.rules, Extractor(loaded.rules))
            engine = alert_engine.AlertEngine(loaded.rules, loaded.hash)
            consume_all(scratch, item_tracker.CONSUMER, item_tracker.TYPES, tracker.handle)
            consume_all(scratch, alert_engine.CONSUMER, alert_engine.TYPES, engine.handle)
            would = alerts_in(scratch)
        finally:
            scratch.engine.dispose()
    actual = alerts_in(live, since, until)
    return _compare(entries, would, actual)


def _compare(entries: int, would: list[SimulatedAlert], actual: list[SimulatedAlert]) -> BacktestReport:
    actual_by_key = {a.key: a for a in actual}
    would_by_key = {w.key: w for w in would}
    added = [w for w in would if w.key not in actual_by_key]
    removed = [a for a in actual if a.key not in would_by_key]
    changed = [(actual_by_key[w.key], w) for w in would
               if w.key in actual_by_key and (actual_by_key[w.key].sentence, actual_by_key[w.key].title)
               != (w.sentence, w.title)]
    return BacktestReport(entries, would, added, removed, changed)
