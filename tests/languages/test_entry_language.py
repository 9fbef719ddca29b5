"""Each entry's language is recorded on its event: detected from the text (English, Ukrainian, Russian), or
as its source declares it (``language: uk``). Entries recorded before languages were kept are detected when
read. Real feed server, real pipeline, SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.events.catalog import EntryObserved, EvidenceFound
from service.pipeline.wiring import Pipeline, open_pipeline_store
from service.rules.loader import load_rules
from service.sources.language import detect_language
from service.store.records import NewEvent
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml

RULES = """
sources:
  kyiv:
    url: {kyiv}
  declared:
    url: {declared}
    language: ru
items:
  talks:
    title: Talks
    states:
      held: ["talks were held"]
"""
DATE = "Sat, 07 Jun 2025 09:00:00 +0300"


@pytest.fixture
def pipeline(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Pipeline, FeedServer]]:
    with FeedServer() as feeds:
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES.format(kyiv=feeds.url("/kyiv.xml"), declared=feeds.url("/declared.xml")))
        store = open_pipeline_store(sqlite_url)
        running = Pipeline(store, load_rules([rules], env={}))
        try:
            running.record_configuration()
            yield running, feeds
        finally:
            running.close()
            store.engine.dispose()


def _languages(running: Pipeline) -> dict[str, str | None]:
    return {e.data["guid"]: e.data["language"] for e in running.store.read_all() if e.type == EntryObserved.TYPE}


def test_each_entry_records_the_language_it_is_written_in(pipeline: tuple[Pipeline, FeedServer]) -> None:
    running, feeds = pipeline
    feeds.set_feed("/kyiv.xml", rss_xml([
        FixtureItem("Переговори", "Делегації знову зустрілися у Стамбулі, повідомив наш кореспондент.",
                    "https://kyiv.example/1", "uk1", DATE),
        FixtureItem("Переговоры", "Делегации снова встретились в Стамбуле, сообщил наш корреспондент.",
                    "https://kyiv.example/2", "ru1", DATE),
        FixtureItem("Talks", "The delegations met again in Istanbul, our correspondent reported.",
                    "https://kyiv.example/3", "en1", DATE),
    ]))
    # The source says Russian: even a Ukrainian text is read as Russian (the author knows the feed).
    feeds.set_feed("/declared.xml", rss_xml([
        FixtureItem("Новини", "Делегації знову зустрілися у Стамбулі.", "https://ru.example/1", "decl1", DATE),
    ]))
    running.run_once()
    assert _languages(running) == {"uk1": "uk", "ru1": "ru", "en1": "en", "decl1": "ru"}


def test_an_entry_recorded_before_languages_were_kept_is_detected_when_read(
    pipeline: tuple[Pipeline, FeedServer],
) -> None:
    running, _ = pipeline
    v2 = {"source": "kyiv", "guid": "old", "link": "https://kyiv.example/old", "title": "Переговори",
          "text": "Переговори відбулися в Стамбулі, сказав посол.", "published": "2025-06-07T06:00:00+00:00",
          "content_hash": "h", "published_offset_minutes": 180}
    running.store.append("source:kyiv", [NewEvent(EntryObserved.TYPE, v2, {"source": "kyiv"}, schema_version=2)])
    [old] = [e for e in running.store.read_all() if e.type == EntryObserved.TYPE]
    assert old.schema_version == 3 and old.data["language"] is None  # upcast: unknown, not guessed
    assert running.tracker.entry_text(old).language == "uk"


def test_evidence_recorded_before_languages_were_kept_reads_as_english(pipeline: tuple[Pipeline, FeedServer]) -> None:
    running, _ = pipeline
    v1 = {"evidence_id": "ev-1", "item": "talks", "value": "held", "sentence": "Talks were held.",
          "pattern": "talks were held", "source": "kyiv", "link": "", "guid": "g",
          "published": "2025-06-07T06:00:00+00:00"}
    running.store.append("item:talks", [NewEvent(EvidenceFound.TYPE, v1, {}, schema_version=1)])
    [found] = [e for e in running.store.read_all() if e.type == EvidenceFound.TYPE]
    assert found.schema_version == 2 and EvidenceFound.from_data(found.data).language == "en"


@pytest.mark.parametrize(("text", "language"), [
    ("Сторони домовилися про обмін полоненими наступного тижня.", "uk"),
    ("Стороны договорились об обмене пленными на следующей неделе.", "ru"),
    ("The sides agreed on a prisoner exchange next week.", "en"),
    ("<p>The sides agreed.</p>", "en"),
])
def test_detection_tells_the_three_languages_apart(text: str, language: str) -> None:
    assert detect_language("", text) == language
