"""The order rule survives the store: a value confirmed by a late-arriving older report holds from the
latest confirming report, and reports published before that never move it. Real pipeline, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.events.catalog import EntryObserved
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.state.report import current_states
from service.store.hashing import timestamp_text
from service.store.records import NewEvent
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml

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


@contextmanager
def _running(url: str, rules: Path) -> Iterator[Pipeline]:
    """The pipeline over ``rules`` on a store at ``url``, closed afterwards."""
    store = open_pipeline_store(url)
    running = Pipeline(store, load_rules([rules], env={}), env={})
    try:
        yield running
    finally:
        running.close()
        store.close()


@pytest.fixture
def pipeline(sqlite_url: str, tmp_path: Path) -> Iterator[Pipeline]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    with _running(sqlite_url, rules) as running:
        yield running


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


RECALL_RULES = """
sources:
  wire: {{url: "{feed}", every: 10m}}
  courier: {{url: "{courier}", every: 10m}}
items:
  recall:
    title: Oat yoghurt recall
    initial: none
    transitions: {{none: [announced], announced: [expanded]}}
    states:
      announced: ["recall (was|has been) announced"]
      expanded: ["recall (was|has been) expanded"]
alerts:
  - name: recall-news
    when: {{item: recall}}
"""


TRUCE_RULES = """
sources:
  wire: {{url: "{feed}", every: 10m}}
items:
  truce:
    title: Truce
    initial: none
    states:
      agreed: ["truce (was|has been) agreed"]
      collapsed: ["truce (has )?collapsed"]
alerts:
  - name: truce-news
    when: {{item: truce}}
"""


def test_two_steps_new_in_one_poll_are_both_told_in_the_order_they_happened(sqlite_url: str, tmp_path: Path) -> None:
    # The feed lists its stories newest first. Read in that order, the collapse came first and the
    # agreement before it was no news: one alert, and the timeline never showed that a truce held.
    stories = [
        FixtureItem("Truce over", "The truce has collapsed after a night of shelling.", guid="t2",
                    link="https://news.test/t2", published=DAY + timedelta(hours=2)),
        FixtureItem("Truce", "A truce was agreed for the border towns.", guid="t1",
                    link="https://news.test/t1", published=DAY),
    ]
    with FeedServer() as feeds:
        feeds.set_feed("/wire.xml", rss_xml(stories))
        rules = tmp_path / "rules.yaml"
        rules.write_text(TRUCE_RULES.format(feed=feeds.url("/wire.xml")))
        with _running(sqlite_url, rules) as running:
            running.run_once()
            [state] = current_states(running.store, running.loaded.rules)
            events = list(running.store.read_all())
    assert [e.data["guid"] for e in events if e.type == "EntryObserved"] == ["t1", "t2"]
    changes = [(e.data["from_value"], e.data["to_value"]) for e in events if e.type == "ItemStateChanged"]
    assert changes == [("none", "agreed"), ("agreed", "collapsed")]
    assert state.value == "collapsed"
    assert [e.data["item"] for e in events if e.type == "AlertRaised"] == ["truce", "truce"]


def test_a_newer_report_read_before_the_older_one_it_follows_is_taken_after_it(
    sqlite_url: str, tmp_path: Path
) -> None:
    # The courier reports the expansion first; the wire's earlier story of the announcement is read a
    # pass later (its feed is slower). The expansion, refused when it came, follows the announcement.
    with FeedServer() as feeds:
        feeds.set_feed("/wire.xml", rss_xml([]))
        feeds.set_feed("/courier.xml", rss_xml([
            FixtureItem("Recall widened", "The recall was expanded to the soy range.", guid="c1",
                        link="https://courier.test/c1", published=DAY + timedelta(hours=2)),
        ]))
        rules = tmp_path / "rules.yaml"
        rules.write_text(RECALL_RULES.format(feed=feeds.url("/wire.xml"), courier=feeds.url("/courier.xml")))
        with _running(sqlite_url, rules) as running:
            running.run_once()
            [state] = current_states(running.store, running.loaded.rules)
            assert state.value == "none"  # a recall cannot widen before it is announced
            feeds.set_feed("/wire.xml", rss_xml([
                FixtureItem("Recall", "A recall was announced for the oat yoghurt.", guid="w1",
                            link="https://wire.test/w1", published=DAY),
            ]))
            running.run_once()
            [state] = current_states(running.store, running.loaded.rules)
            events = list(running.store.read_all())
    changes = [e.data for e in events if e.type == "ItemStateChanged"]
    assert [(c["from_value"], c["to_value"], c["sources"], c["links"]) for c in changes] == [
        ("none", "announced", ["wire"], ["https://wire.test/w1"]),
        ("announced", "expanded", ["courier"], ["https://courier.test/c1"]),
    ]
    assert changes[1]["sentences"] == ["The recall was expanded to the soy range."]
    assert changes[1]["published"] == timestamp_text(DAY + timedelta(hours=2))
    assert (state.value, state.since) == ("expanded", timestamp_text(DAY + timedelta(hours=2)))
    assert [e.data["item"] for e in events if e.type == "AlertRaised"] == ["recall", "recall"]
