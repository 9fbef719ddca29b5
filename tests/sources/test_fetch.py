"""fetch(): conditional GET, limits, redirects and every failure mode, against a local server."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from service import __version__
from service.sources.fetch import FetchError, fetch
from tests.sources.texts import GRAIN_CORRIDOR, HARBOUR_TALKS
from tests.support.feedserver import FeedServer, rss_xml

TIMEOUT = 1.0
# Slack for a loaded CI machine; the point is "about the timeout", not "the timeout plus a read".
SLACK = 0.8


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening, so connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _fails(url: str, **options: object) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch(url, **options)  # type: ignore[arg-type]
    return caught.value.reason, time.monotonic() - started


def test_first_poll_gets_the_body_and_validators(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    result = fetch(feed_server.url("/wire.xml"), timeout=TIMEOUT)
    assert result.status == 200
    assert b"Harbour talks" in result.body
    assert result.etag and result.last_modified
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.url == feed_server.url("/wire.xml")


def test_second_poll_with_etag_is_304_without_body(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    first = fetch(feed_server.url("/wire.xml"), timeout=TIMEOUT)
    second = fetch(feed_server.url("/wire.xml"), etag=first.etag, last_modified=first.last_modified,
                   timeout=TIMEOUT)
    assert second.status == 304 and second.not_modified
    assert second.body == b""
    sent = feed_server.last_request("/wire.xml").headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == first.last_modified
    assert [r.status for r in feed_server.requests("/wire.xml")] == [200, 304]


def test_last_modified_alone_gives_304(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]), etag=False)
    first = fetch(feed_server.url("/wire.xml"), timeout=TIMEOUT)
    assert first.etag is None
    second = fetch(feed_server.url("/wire.xml"), last_modified=first.last_modified, timeout=TIMEOUT)
    assert second.status == 304


def test_changed_content_gives_200_and_the_new_body(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    first = fetch(feed_server.url("/wire.xml"), timeout=TIMEOUT)
    feed_server.set_feed("/wire.xml", rss_xml([GRAIN_CORRIDOR, HARBOUR_TALKS]))
    second = fetch(feed_server.url("/wire.xml"), etag=first.etag, last_modified=first.last_modified,
                   timeout=TIMEOUT)
    assert second.status == 200
    assert b"Grain corridor" in second.body
    assert second.etag != first.etag


def test_user_agent_and_accept_are_sent(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    fetch(feed_server.url("/wire.xml"), timeout=TIMEOUT)
    headers = feed_server.last_request("/wire.xml").headers
    assert headers["user-agent"] == f"Vigil/{__version__} (+https://github.com/vigil-alerts/vigil)"
    assert "application/rss+xml" in headers["accept"]


def test_a_shared_client_is_used_and_its_redirect_setting_ignored(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    feed_server.set_redirect_chain("/old.xml", "/wire.xml", hops=3)
    with httpx.Client(follow_redirects=True, max_redirects=50) as client:
        assert fetch(feed_server.url("/wire.xml"), client=client, timeout=TIMEOUT).status == 200
        reason, _ = _fails(feed_server.url("/old.xml"), client=client, max_redirects=2, timeout=TIMEOUT)
    assert reason == "too many redirects (more than 2)"


def test_http_error_status_is_a_clear_reason(feed_server: FeedServer) -> None:
    feed_server.set_error("/broken.xml", 500)
    reason, _ = _fails(feed_server.url("/broken.xml"), timeout=TIMEOUT)
    assert reason == "HTTP 500 Internal Server Error"
    reason, _ = _fails(feed_server.url("/missing.xml"), timeout=TIMEOUT)
    assert reason == "HTTP 404 Not Found"


def test_server_that_never_answers_ends_within_the_timeout(feed_server: FeedServer) -> None:
    feed_server.set_hang("/silent.xml")
    reason, elapsed = _fails(feed_server.url("/silent.xml"), timeout=TIMEOUT)
    assert reason == "timed out after 1.0s"
    assert TIMEOUT * 0.9 <= elapsed < TIMEOUT + SLACK


def test_server_dripping_bytes_ends_within_the_total_timeout(feed_server: FeedServer) -> None:
    # A byte every 0.7 s never trips a per-read timeout of 1 s; only the total deadline stops it,
    # and it must do so at about 1 s, not at the next byte (1.4 s).
    feed_server.set_drip("/drip.xml", interval=0.7)
    reason, elapsed = _fails(feed_server.url("/drip.xml"), timeout=TIMEOUT)
    assert reason == "timed out after 1.0s"
    assert elapsed < TIMEOUT + 0.3
    assert feed_server.bytes_sent("/drip.xml") > 0


def test_huge_streamed_response_stops_at_the_cap(feed_server: FeedServer) -> None:
    feed_server.set_huge("/huge.xml", size=50_000_000)
    reason, elapsed = _fails(feed_server.url("/huge.xml"), timeout=2.0)
    assert reason == "response larger than 10000000 bytes"
    assert elapsed < 2.0
    assert feed_server.bytes_sent("/huge.xml") < 25_000_000  # it stopped reading long before the end


def test_small_cap_stops_early(feed_server: FeedServer) -> None:
    feed_server.set_huge("/huge.xml", size=50_000_000)
    reason, _ = _fails(feed_server.url("/huge.xml"), max_bytes=100_000, timeout=TIMEOUT)
    assert reason == "response larger than 100000 bytes"
    assert feed_server.bytes_sent("/huge.xml") < 10_000_000


def test_declared_length_over_the_cap_is_refused_before_reading(feed_server: FeedServer) -> None:
    feed_server.set_huge("/huge.xml", size=50_000_000, declare_length=True)
    reason, elapsed = _fails(feed_server.url("/huge.xml"), max_bytes=1_000_000, timeout=TIMEOUT)
    assert reason == "response larger than 1000000 bytes"
    assert elapsed < TIMEOUT


def test_body_at_the_cap_is_accepted(feed_server: FeedServer) -> None:
    body = rss_xml([HARBOUR_TALKS]).encode()
    feed_server.set_feed("/wire.xml", body)
    assert fetch(feed_server.url("/wire.xml"), max_bytes=len(body), timeout=TIMEOUT).body == body
    reason, _ = _fails(feed_server.url("/wire.xml"), max_bytes=len(body) - 1, timeout=TIMEOUT)
    assert reason == f"response larger than {len(body) - 1} bytes"


def test_connection_dropped_mid_body(feed_server: FeedServer) -> None:
    feed_server.set_cut("/cut.xml", rss_xml([HARBOUR_TALKS, GRAIN_CORRIDOR]))
    reason, _ = _fails(feed_server.url("/cut.xml"), timeout=TIMEOUT)
    assert reason == "server closed the connection before the response was complete"


def test_redirects_are_followed_to_the_final_url(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    chain = feed_server.set_redirect_chain("/moved.xml", "/wire.xml", hops=5, status=301)
    result = fetch(feed_server.url("/moved.xml"), timeout=TIMEOUT)
    assert result.status == 200 and result.url == feed_server.url("/wire.xml")
    assert [feed_server.request_count(path) for path in chain] == [1] * 5


def test_redirect_to_an_absolute_url(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    feed_server.set_redirect("/elsewhere.xml", feed_server.url("/wire.xml"), status=307)
    assert fetch(feed_server.url("/elsewhere.xml"), timeout=TIMEOUT).status == 200


def test_too_many_redirects_are_refused(feed_server: FeedServer) -> None:
    feed_server.set_feed("/wire.xml", rss_xml([HARBOUR_TALKS]))
    feed_server.set_redirect_chain("/moved.xml", "/wire.xml", hops=6)
    reason, _ = _fails(feed_server.url("/moved.xml"), timeout=TIMEOUT)
    assert reason == "too many redirects (more than 5)"
    assert feed_server.request_count("/wire.xml") == 0


def test_redirect_loop_is_refused(feed_server: FeedServer) -> None:
    feed_server.set_redirect("/a.xml", "/b.xml")
    feed_server.set_redirect("/b.xml", "/a.xml")
    reason, _ = _fails(feed_server.url("/a.xml"), max_redirects=3, timeout=TIMEOUT)
    assert reason == "too many redirects (more than 3)"


def test_redirect_to_another_scheme_is_refused(feed_server: FeedServer) -> None:
    feed_server.set_redirect("/local.xml", "file:///etc/passwd")
    reason, _ = _fails(feed_server.url("/local.xml"), timeout=TIMEOUT)
    assert reason == "unsupported URL scheme 'file'"


def test_connection_refused(closed_port: int) -> None:
    reason, elapsed = _fails(f"http://127.0.0.1:{closed_port}/wire.xml", timeout=TIMEOUT)
    assert reason == "connection refused"
    assert elapsed < TIMEOUT


def test_malformed_url_is_a_fetch_error() -> None:
    for url in ("http://[::1/wire.xml", "https://xn--/wire.xml", "http://wire.example/\x00.xml"):
        reason, _ = _fails(url, timeout=TIMEOUT)
        assert reason.startswith("invalid URL (")
    reason, _ = _fails("wire.example/feed.xml", timeout=TIMEOUT)
    assert reason == "invalid URL"


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        fetch("http://127.0.0.1/", timeout=0)
    with pytest.raises(ValueError):
        fetch("http://127.0.0.1/", max_bytes=0)
