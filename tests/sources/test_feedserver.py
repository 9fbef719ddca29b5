"""The shared feed server itself: waiting for requests, and a stop that ends every open exchange."""

from __future__ import annotations

import threading
import time

import pytest

from service.sources.fetch import FetchError, fetch
from tests.support.feedserver import FeedServer


def test_stop_releases_a_hanging_request_at_once() -> None:
    server = FeedServer().start()
    server.set_hang("/silent.xml")
    outcome: list[str] = []

    def poll() -> None:
        try:
            fetch(server.url("/silent.xml"), timeout=5.0)
        except FetchError as error:
            outcome.append(error.reason)

    poller = threading.Thread(target=poll)
    poller.start()
    server.wait_for_requests("/silent.xml", 1, timeout=2.0)
    started = time.monotonic()
    server.stop()
    poller.join(timeout=2.0)
    assert not poller.is_alive()
    assert time.monotonic() - started < 2.0
    assert outcome == ["server closed the connection before the response was complete"]


def test_wait_for_requests_gives_up_after_its_timeout(feed_server: FeedServer) -> None:
    with pytest.raises(AssertionError, match="0 of 1 requests"):
        feed_server.wait_for_requests("/never.xml", 1, timeout=0.1)


def test_routes_can_change_and_be_removed(feed_server: FeedServer) -> None:
    feed_server.set_error("/wire.xml", 503)
    with pytest.raises(FetchError, match="HTTP 503 Service Unavailable"):
        fetch(feed_server.url("/wire.xml"), timeout=1.0)
    feed_server.remove("/wire.xml")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(feed_server.url("/wire.xml"), timeout=1.0)
    assert [r.status for r in feed_server.requests("/wire.xml")] == [503, 404]
