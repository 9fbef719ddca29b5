"""A date is read in the publisher's own day: "tomorrow" written just after midnight in Kyiv is the day
after that Kyiv day, though it is still the evening before in UTC. Real feed server, real pipeline, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.events.catalog import EntryObserved
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.state.report import current_states
from service.store.records import NewEvent
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml

RULES = """
sources:
  wire:
    url: {url}
    every: 10m
items:
  exchange-date:
    title: Next prisoner exchange
    kind: date
    set: ["exchange will take place {{date}}"]
"""
SENTENCE = "The prisoner exchange will take place tomorrow, officials said."


@pytest.fixture
def pipeline(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Pipeline, FeedServer]]:
    with FeedServer() as feeds:
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES.format(url=feeds.url("/wire.xml")))
        store = open_pipeline_store(sqlite_url)
        running = Pipeline(store, load_rules([rules], env={}))
        try:
            running.record_configuration()
            yield running, feeds
        finally:
            running.close()
            store.close()


def _date(running: Pipeline) -> str:
    [report] = current_states(running.store, running.loaded.rules)
    return report.value


def test_tomorrow_written_after_midnight_in_kyiv_is_the_day_after_the_kyiv_day(
    pipeline: tuple[Pipeline, FeedServer],
) -> None:
    running, feeds = pipeline
    # Monday 00:30 in Kyiv is Sunday 21:30 UTC: "tomorrow" is Tuesday, not Monday.
    item = FixtureItem("Exchange", SENTENCE, "https://wire.example/1", "g1", "Mon, 09 Jun 2025 00:30:00 +0300")
    feeds.set_feed("/wire.xml", rss_xml([item]))
    running.run_once()
    assert _date(running) == "2025-06-10"
    [observed] = [e for e in running.store.read_all() if e.type == EntryObserved.TYPE]
    assert observed.data["published"].startswith("2025-06-08T21:30:00")  # the log keeps UTC ...
    assert observed.data["published_offset_minutes"] == 180  # ... and the publisher's offset


def test_an_entry_recorded_before_offsets_were_kept_is_read_in_utc(pipeline: tuple[Pipeline, FeedServer]) -> None:
    running, _ = pipeline
    v1 = {
        "source": "wire",
        "guid": "g1",
        "link": "https://wire.example/1",
        "title": "Exchange",
        "text": SENTENCE,
        "published": "2025-06-08T21:30:00.000000+00:00",
        "content_hash": "h",
    }
    running.store.append("source:wire", [NewEvent(EntryObserved.TYPE, v1, {"source": "wire"}, schema_version=1)])
    running.process()
    assert _date(running) == "2025-06-09"  # as v1 always read it: the UTC day was Sunday
