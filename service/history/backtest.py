"""``vigil backtest``: what a rule set would have raised over the entries already recorded.

The entries are copied, in order, into a throwaway SQLite store, where the same item tracker and alert
engine as the daemon's run; nothing touches the live store and nothing is sent. The scratch store's
clock is the live one's: whatever an entry causes is recorded at the moment the live store recorded the
entry, so throttles count as they did live, not as if a month of news had arrived at once. The alerts
are then compared with the ones the live store actually raised, by (rule, item, new value), counting
each key's alerts in order (an item agreed, collapsed and agreed again raised two "agreed" alerts).

A window (``since``) does not start the items afresh: the entries published before it are run too, so
each item enters the window in the state (and under the throttles) those entries left; only alerts for
changes published within the window are reported, on both sides.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from service.alerting import engine as alert_engine
from service.delivery.route import routes
from service.events.catalog import AlertRaised, EntryObserved, EntryRevised, ItemStateChanged
from service.extraction.extractor import Extractor
from service.pipeline.config_recording import record_rules
from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import LoadedRules
from service.state import tracker as item_tracker
from service.store.consumer import consume_all
from service.store.hashing import timestamp_text
from service.store.recorder import EventStore, Transaction
from service.store.records import NewEvent, RecordedEvent

#: Metadata key on a scratch copy of an entry: when the live store recorded it.
LIVE_RECORDED_AT = "live_recorded_at"


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
    earlier: int = 0  # entries published before the window, run for the state they left

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


@dataclass
class _LiveClock:
    """The scratch store's clock, set to the live moment of the event being processed."""

    at: datetime

    def __call__(self) -> datetime:
        return self.at


def backtest(live: EventStore, loaded: LoadedRules, *, since: datetime | None = None,
             until: datetime | None = None) -> BacktestReport:
    """Run ``loaded`` over the live store's entries in a scratch store and compare the alerts."""
    with tempfile.TemporaryDirectory(prefix="vigil-backtest-") as folder:
        scratch = open_pipeline_store(str(Path(folder) / "backtest.db"))
        clock = _LiveClock(datetime.now(UTC))
        scratch.clock = clock
        try:
            record_rules(scratch, loaded)
            entries, earlier = _copy_entries(live, scratch, since, until)
            tracker = item_tracker.ItemTracker(loaded.rules, Extractor(loaded.rules))
            engine = alert_engine.AlertEngine(loaded.rules, loaded.hash, routes)

            def on_entry(tx: Transaction, event: RecordedEvent) -> None:
                clock.at = datetime.fromisoformat(event.metadata[LIVE_RECORDED_AT])
                tracker.handle(tx, event)

            def on_change(tx: Transaction, event: RecordedEvent) -> None:
                clock.at = event.recorded_at  # the live moment of the entry behind the change
                engine.handle(tx, event)

            consume_all(scratch, item_tracker.CONSUMER, item_tracker.TYPES, on_entry)
            consume_all(scratch, alert_engine.CONSUMER, alert_engine.TYPES, on_change)
            would = alerts_in(scratch, since, until)
        finally:
            scratch.close()
    actual = alerts_in(live, since, until)
    return _compare(entries, earlier, would, actual)


def _copy_entries(
    live: EventStore, scratch: EventStore, since: datetime | None, until: datetime | None
) -> tuple[int, int]:
    """Copy the live entries published until ``until``, in log order, each marked with its live time.

    Returns the entries published within the window and the earlier ones."""
    entries = earlier = 0
    batch: list[NewEvent] = []
    for event in live.read_all(0, types=[EntryObserved.TYPE, EntryRevised.TYPE]):
        published = datetime.fromisoformat(event.data["published"])
        if until is not None and published > until:
            continue
        if since is not None and published < since:
            earlier += 1
        else:
            entries += 1
        metadata = {**event.metadata, LIVE_RECORDED_AT: timestamp_text(event.recorded_at)}
        batch.append(NewEvent(event.type, event.data, metadata))
        if len(batch) >= 500:
            scratch.append("source:backtest", batch)
            batch = []
    scratch.append("source:backtest", batch)
    return entries, earlier


def _compare(
    entries: int, earlier: int, would: list[SimulatedAlert], actual: list[SimulatedAlert]
) -> BacktestReport:
    """Pair each key's alerts in order: the n-th "agreed" alert of a rule and item with the n-th."""
    actual_by_key: dict[tuple[str, str, str], list[SimulatedAlert]] = defaultdict(list)
    for alert in actual:
        actual_by_key[alert.key].append(alert)
    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    added: list[SimulatedAlert] = []
    changed: list[tuple[SimulatedAlert, SimulatedAlert]] = []
    for alert in would:
        rank = seen[alert.key]
        seen[alert.key] += 1
        counterparts = actual_by_key.get(alert.key, [])
        if rank >= len(counterparts):
            added.append(alert)
        elif (counterparts[rank].sentence, counterparts[rank].title) != (alert.sentence, alert.title):
            changed.append((counterparts[rank], alert))
    ranks: dict[tuple[str, str, str], int] = defaultdict(int)
    removed: list[SimulatedAlert] = []
    for alert in actual:  # the live alerts beyond each key's count in ``would``, in the order raised
        ranks[alert.key] += 1
        if ranks[alert.key] > seen[alert.key]:
            removed.append(alert)
    return BacktestReport(entries, would, added=added, removed=removed, changed=changed, earlier=earlier)
