"""Near misses asked again (an item page reloaded) read only the entries recorded since the last search,
and show exactly what a search of the whole window shows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from service.demo.feeds import FeedItem, FeedServer, render_rss
from service.history.near_misses import NearMissMemory, near_misses
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.store.recorder import EventStore

RULES = """\
sources:
  wire: {{url: "{url}", every: 10m}}
items:
  ceasefire:
    title: Ceasefire
    states:
      agreed: ['agreed to a ceasefire']
"""


def _counting_reads(store: EventStore, reads: list[int]) -> None:
    """Record the position each log read starts after (an instance attribute: only this store counts)."""
    read_all = store.read_all

    def counted(after: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        reads.append(after)
        return read_all(after, *args, **kwargs)

    store.read_all = counted  # type: ignore[method-assign]


def test_a_repeated_search_reads_only_new_entries_and_finds_what_a_full_search_finds(tmp_path: Path) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    hedged = ["Kyiv hoped both sides agreed to a ceasefire by then.", "Some said they may have agreed to a ceasefire."]
    entries = [FeedItem(f"g{n}", f"Report {n}", hedged[0] if n == 3 else "Talks went on; nothing was agreed.",
                        start + timedelta(hours=n), f"https://news.test/{n}") for n in range(10)]
    with FeedServer() as feeds:
        (tmp_path / "rules.yaml").write_text(RULES.format(url=feeds.url("wire")))
        loaded = load_rules([tmp_path / "rules.yaml"], env={})
        store = open_pipeline_store(str(tmp_path / "vigil.db"))
        pipeline = Pipeline(store, loaded, env={})
        pipeline.record_configuration()
        feeds.publish({"wire": render_rss("Wire", entries)})
        pipeline.poll("wire", force=True)
        memory = NearMissMemory()
        first = near_misses(store, loaded, "ceasefire", memory=memory)
        assert [miss.cue for miss in first] == ["hoped"]
        searched = store.last_position()

        later = [FeedItem(f"h{n}", f"Later {n}", hedged[1] if n == 1 else "Talks went on.",
                          start + timedelta(days=1, hours=n), f"https://news.test/h{n}") for n in range(3)]
        feeds.publish({"wire": render_rss("Wire", entries + later)})
        pipeline.poll("wire", force=True)
        reads: list[int] = []
        _counting_reads(store, reads)
        again = near_misses(store, loaded, "ceasefire", memory=memory)
        assert reads and min(reads) >= searched  # nothing read twice
        assert [miss.cue for miss in again] == ["may", "hoped"]  # the new one first, the remembered one after
        assert again == near_misses(store, loaded, "ceasefire")  # the same as searching the whole window
        pipeline.close()
        store.close()
