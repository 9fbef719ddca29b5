"""A Ukrainian report moves an item; an English one hours later confirms it without a second alert. Real feed
server on loopback, real pipeline on SQLite, real apprise ``json://`` delivery to a local receiver; the alert
quotes the sentence in Ukrainian, and the dashboard marks each piece of evidence with its language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.events.catalog import EvidenceFound, ItemStateChanged
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.web.app import create_app
from service.web.context import WebContext
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver

RULES = """
sources:
  visnyk: {{url: '{visnyk}'}}
  wire: {{url: '{wire}'}}
items:
  exchange-date:
    title: Date of the next prisoner exchange
    kind: date
    scope: [[Ukraine, Kyiv, Україна, Київ], [Russia, Moscow, Росія, Москва], [prisoner, prisoners, полонений]]
    set: ['exchange will take place {{date}}']
    languages:
      uk:
        set: ['обмін (полоненими )?([\\w''-]+ ){{0,5}}відбудеться {{date}}']
alerts:
  - name: date-set
    when: {{item: exchange-date, date: any}}
    notify: [families]
subscribers:
  families: {{urls: ['{hook}']}}
"""
UKRAINIAN = ("Обмін полоненими між Україною та Росією відбудеться у понеділок, повідомили в координаційному "
             "штабі.")
ENGLISH = "Officials in Kyiv and Moscow said the prisoner exchange will take place on Monday."


@pytest.fixture
def world(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Pipeline, FeedServer, JsonReceiver]]:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES.format(visnyk=feeds.url("/visnyk.xml"), wire=feeds.url("/wire.xml"),
                                      hook=hook.url("/families")), encoding="utf-8")
        store = open_pipeline_store(sqlite_url)
        running = Pipeline(store, load_rules([rules], env={}), env={})
        try:
            running.record_configuration()
            yield running, feeds, hook
        finally:
            running.close()
            store.engine.dispose()


def test_a_ukrainian_report_moves_the_item_and_an_english_one_confirms_it_without_a_second_alert(
    world: tuple[Pipeline, FeedServer, JsonReceiver],
) -> None:
    running, feeds, hook = world
    feeds.set_feed("/visnyk.xml", rss_xml([FixtureItem("Обмін полоненими", UKRAINIAN, "https://visnyk.example/1",
                                                       "v1", "Sat, 07 Jun 2025 08:30:00 +0300")]))
    feeds.set_feed("/wire.xml", rss_xml([]))
    running.run_once()

    alert = hook.wait_for()
    assert "2025" in alert.json()["title"] and UKRAINIAN in alert.json()["message"]  # quoted in its own language
    changes = [e for e in running.store.read_all() if e.type == ItemStateChanged.TYPE]
    assert [(c.data["from_value"], c.data["to_value"]) for c in changes] == [("unannounced", "2025-06-09")]

    feeds.set_feed("/wire.xml", rss_xml([FixtureItem("Exchange on Monday", ENGLISH, "https://wire.example/1", "w1",
                                                     "Sat, 07 Jun 2025 11:00:00 +0000")]))
    running.run_once()

    found = [EvidenceFound.from_data(e.data) for e in running.store.read_all() if e.type == EvidenceFound.TYPE]
    assert [(f.source, f.value, f.language) for f in found] == [("visnyk", "2025-06-09", "uk"),
                                                                 ("wire", "2025-06-09", "en")]
    assert len([e for e in running.store.read_all() if e.type == ItemStateChanged.TYPE]) == 1
    assert len(hook.requests()) == 1  # the English report confirmed the date: no second alert

    context = WebContext(store=running.store, rules=lambda: running.loaded, started_at=datetime.now(UTC))
    page = TestClient(create_app(context)).get("/dashboard/items/exchange-date")
    assert page.status_code == 200
    assert 'lang="uk"' in page.text and 'lang="en"' in page.text
    assert '<span class="evidence-language" title="Language of the sentence">UK</span>' in page.text
