"""An entry that outlasts extraction's time budget is recorded as skipped for each item it was not read for,
with the reason, and the pipeline moves on to the next entry. Real store (SQLite)."""

from __future__ import annotations

from service.events.catalog import EntryObserved
from service.extraction.extractor import Extractor
from service.pipeline.wiring import open_pipeline_store
from service.rules.models import RuleSet
from service.state import tracker as item_tracker
from service.store.consumer import consume_all
from service.store.records import NewEvent

# Built without `vigil check`, which refuses the slow pattern: what a rule written before the check runs.
RULES = RuleSet.model_validate({"items": {
    "slow": {"title": "Slow", "states": {"on": ["(a|aa)+b"]}},
    "talks": {"title": "Talks", "states": {"began": ["talks began"]}},
}})


def _entry(guid: str, text: str) -> NewEvent:
    entry = EntryObserved(source="wire", guid=guid, link=f"https://wire.test/{guid}", title="", text=text,
                          published="2025-06-02T14:00:00+00:00", content_hash=guid, published_offset_minutes=0)
    return NewEvent(EntryObserved.TYPE, entry.to_data(), {"source": "wire"})


def test_a_hostile_entry_is_recorded_skipped_and_the_next_entry_is_read(sqlite_url: str) -> None:
    store = open_pipeline_store(sqlite_url)
    try:
        tracker = item_tracker.ItemTracker(RULES, Extractor(RULES, budget=0.3))
        store.append("source:wire", [_entry("hostile", " ".join(["A" + "a" * 50 + "c b."] * 2000))])
        store.append("source:wire", [_entry("next", "The talks began.")])

        consume_all(store, item_tracker.CONSUMER, item_tracker.TYPES, tracker.handle)

        events = [e for e in store.read_all() if e.stream_id.startswith("item:")]
    finally:
        store.close()
    skipped = {e.data["item"]: e.data for e in events if e.type == "EntrySkipped"}
    assert set(skipped) == {"slow"}  # "talks" is not in the hostile entry's scope: nothing of it was skipped
    assert skipped["slow"]["guid"] == "hostile" and "time budget (0.3s) ran out" in skipped["slow"]["reason"]
    assert [(e.type, e.data["item"]) for e in events if e.type == "ItemStateChanged"] == [("ItemStateChanged", "talks")]
