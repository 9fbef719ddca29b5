"""The HTTP service under abuse: slow clients, secrets in query strings, a forged Host header.

The web app is served in process by the daemon's own ``WebServer`` on loopback, over a store the demo
scenario built (alerts included), so each test talks raw HTTP to the real server in a second or two.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx
import pytest

from service.demo.runner import run_demo
from service.pipeline.wiring import open_pipeline_store
from service.store.head import parse_heads
from service.web.context import WebContext
from service.web.listen import ListenAddress
from service.web.server import WebServer
from tests.support.receivers import poll

ROOT = Path(__file__).resolve().parents[2]
READ_TIMEOUT = 1.0
#: Far past the read timeout, and still a bounded test: the old server never closed these connections.
CLOSE_DEADLINE = 8.0


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert run_demo(path, [str(ROOT / "rules" / "istanbul-talks.yaml")], lambda _line: None) == 5
    return str(path)


def _serve(db: str, public_url: str | None = None) -> Iterator[tuple[WebServer, str]]:
    store = open_pipeline_store(db)
    context = WebContext(store, rules=lambda: None, started_at=datetime.now(UTC), public_url=public_url)  # type: ignore[arg-type, return-value]
    server = WebServer(ListenAddress("127.0.0.1", 0), context, read_timeout=READ_TIMEOUT)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    poll(lambda: [_status(base + "/healthz")], lambda status: status == 200, 20, "a serving web server")
    try:
        yield server, base
    finally:
        server.stop()
        store.close()


@pytest.fixture
def served(demo_db: str) -> Iterator[tuple[WebServer, str]]:
    yield from _serve(demo_db)


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0


def _closed_by_server(sock: socket.socket, trickle: bytes = b"") -> float:
    """Seconds until the server closes ``sock``, sending ``trickle`` a byte at a time meanwhile (a slow
    loris); fails after CLOSE_DEADLINE."""
    started = time.monotonic()
    sock.settimeout(0.2)
    pending = list(trickle)
    while time.monotonic() - started < CLOSE_DEADLINE:
        try:
            if pending:
                sock.send(bytes([pending.pop(0)]))
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue  # the server said nothing yet: that 0.2 s is the loris's pace
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started
    raise AssertionError(f"the server kept a slow connection open over {CLOSE_DEADLINE}s")


def test_half_sent_headers_and_a_trickled_request_are_cut_off(served: tuple[WebServer, str]) -> None:
    server, base = served
    silent = socket.create_connection(("127.0.0.1", server.port))
    half = socket.create_connection(("127.0.0.1", server.port))
    half.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    loris = socket.create_connection(("127.0.0.1", server.port))
    body = socket.create_connection(("127.0.0.1", server.port))
    body.sendall(b"POST /api/subscribers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
    try:
        assert _closed_by_server(silent) < CLOSE_DEADLINE
        assert _closed_by_server(half) < CLOSE_DEADLINE
        trickle = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
        assert _closed_by_server(loris, trickle) < CLOSE_DEADLINE
        assert _closed_by_server(body) < CLOSE_DEADLINE
    finally:
        for sock in (silent, half, loris, body):
            sock.close()
    assert httpx.get(base + "/healthz", timeout=5).status_code == 200  # ordinary clients are still served


def test_the_access_log_leaves_out_query_strings(
    served: tuple[WebServer, str], caplog: pytest.LogCaptureFixture
) -> None:
    _, base = served
    caplog.set_level(logging.INFO)
    secret = "tok-SuperSecretValue-42"
    assert httpx.get(f"{base}/api/head?token={secret}", timeout=5).status_code == 200
    access = poll(lambda: [r for r in caplog.records if r.name == "uvicorn.access"], lambda _r: True, 10,
                  "an access log record")
    assert "/api/head" in access.getMessage()
    # The test's own client (httpx) logs its URL; the daemon sets httpx to WARNING. The server must not.
    server_records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert all(secret not in record.getMessage() for record in server_records)


def test_the_atom_self_link_ignores_the_host_header(demo_db: str) -> None:
    for public_url, expected in ((None, "/alerts.atom"), ("https://vigil.example.org/", "https://vigil.example.org/alerts.atom")):
        for _server, base in _serve(demo_db, public_url):
            response = httpx.get(base + "/alerts.atom", headers={"Host": "evil.example"}, timeout=5)
            feed = feedparser.parse(response.content)
            [self_link] = [link["href"] for link in feed.feed.links if link["rel"] == "self"]
            assert "evil.example" not in response.text
            assert self_link == expected
            assert len(feed.entries) == 5


def test_the_api_gives_the_head_of_the_log(served: tuple[WebServer, str], demo_db: str) -> None:
    _, base = served
    body = httpx.get(base + "/api/head", timeout=5).json()
    [digest] = parse_heads(body["head"])
    # The route's name before 2026-12-03 answers the same, for old scripts, and is not in the schema.
    assert httpx.get(base + "/api/digest", timeout=5).json()["digest"] == body["head"]
    assert "/api/digest" not in httpx.get(base + "/openapi.json", timeout=5).json()["paths"]
    store = open_pipeline_store(demo_db)
    try:
        head = store.read_event(store.last_position())
    finally:
        store.close()
    assert head is not None and (body["position"], body["hash"]) == (digest.position, digest.hash)
    assert (digest.position, digest.hash) == (head.position, head.hash)
