"""fetch -> parse -> classify over several polls of one changing feed, as the poller runs them."""

from __future__ import annotations

from dataclasses import replace

import httpx

from service.sources.entries import classify
from service.sources.fetch import FetchResult, fetch
from service.sources.parse import parse_feed
from tests.sources.texts import DETAINEE_LISTS, GRAIN_CORRIDOR, HARBOUR_TALKS
from tests.support.feedserver import FeedServer, rss_xml


class _Memory:
    """What the event store would remember between polls: validators and hashes by guid."""

    def __init__(self) -> None:
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.hashes: dict[str, str] = {}

    def poll(self, url: str, client: httpx.Client) -> tuple[FetchResult, dict[str, list[str]]]:
        result = fetch(url, etag=self.etag, last_modified=self.last_modified, timeout=1.0, client=client)
        self.etag = result.etag or self.etag
        self.last_modified = result.last_modified or self.last_modified
        kinds: dict[str, list[str]] = {"new": [], "revised": [], "unchanged": []}
        if result.not_modified:
            return result, kinds
        for entry in parse_feed(result).entries:
            kinds[classify(entry, self.hashes.get(entry.guid))].append(entry.guid)
            self.hashes[entry.guid] = entry.content_hash
        return result, kinds


def test_polls_of_a_developing_story(feed_server: FeedServer, client: httpx.Client) -> None:
    url = feed_server.url("/wire.xml")
    memory = _Memory()
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR]))

    result, kinds = memory.poll(url, client)
    assert result.status == 200 and kinds["new"] == ["wire-1001", "wire-1002"]

    result, kinds = memory.poll(url, client)
    assert result.status == 304 and not any(kinds.values())

    updated = replace(HARBOUR_TALKS, text=HARBOUR_TALKS.text + " The venue was confirmed overnight.")
    feed_server.set_feed("/wire.xml", rss_xml([DETAINEE_LISTS, updated, GRAIN_CORRIDOR]))
    result, kinds = memory.poll(url, client)
    assert result.status == 200
    assert kinds == {"new": ["wire-1003"], "revised": ["wire-1001"], "unchanged": ["wire-1002"]}

    result, _ = memory.poll(url, client)
    assert result.status == 304
    assert feed_server.request_count("/wire.xml") == 4
