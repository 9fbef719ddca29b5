"""The order rule survives the store: a value confirmed by a late-arriving older report holds from the
latest confirming report, and reports published before that never move it. Real pipeline, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.daemon.pipeline import Pipeline, open_pipeline_store
from service.events.catalog import EntryObserved
from service.rules.loader import load_rules
from service.state.report import current_states
from service.store.hashing import timestamp_text
from service.store.records import NewEvent

RULES = """
items:
  exchange:
    title: Prisoner exchange
    initial: none
    confirm: {sources: 2, within: 48h}
    states:
      agreed: ["agreed to an exchange"]
      collapsed: ["exchange collapsed"]
"""
DAY = datetime(2025, 6, 7, 12, tzinfo=UTC)


@pytest.fixture
def pipeline(sqlite_url: str, tmp_path: Path) -> Iterator[Pipeline]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    store = open_pipeline_store(sqlite_url)
    running = Pipeline(store, load_rules([rules], env={}))
    try:
        yield running
    finally:
        running.close()
        store.engine.dispose()


def _report(running: Pipeline, source: str, hours: int, sentence: str) -> None:
    """An entry from ``source`` published ``hours`` after DAY, recorded now (reports arrive in any order)."""
    entry = EntryObserved(
        source=source,
        guid=f"{source}-{hours}",
        link=f"https://{source}.test/{hours}",
        title="",
        text=sentence,
        published=timestamp_text(DAY + timedelta(hours=hours)),
        content_hash="h",
        published_offset_minutes=0,
    )
    running.store.append(f"source:{source}", [NewEvent(EntryObserved.TYPE, entry.to_data(), {"source": source})])
    running.process()


def test_a_value_confirmed_by_a_late_older_report_holds_from_the_latest_report(pipeline: Pipeline) -> None:
    _report(pipeline, "courier", 30, "Kyiv and Moscow agreed to an exchange.")
    _report(pipeline, "wire", 0, "Kyiv and Moscow agreed to an exchange.")  # read last, published first
    [state] = current_states(pipeline.store, pipeline.loaded.rules)
    assert (state.value, state.since) == ("agreed", timestamp_text(DAY + timedelta(hours=30)))
    # two outlets said it collapsed, but before the courier's report that confirmed the agreement
    _report(pipeline, "wire", 10, "The exchange collapsed.")
    _report(pipeline, "agency", 12, "The exchange collapsed.")
    [state] = current_states(pipeline.store, pipeline.loaded.rules)
    assert state.value == "agreed"
    # later reports do move it
    _report(pipeline, "wire", 40, "The exchange collapsed.")
    _report(pipeline, "agency", 41, "The exchange collapsed.")
    [state] = current_states(pipeline.store, pipeline.loaded.rules)
    assert (state.value, state.since) == ("collapsed", timestamp_text(DAY + timedelta(hours=41)))
