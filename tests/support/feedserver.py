"""A local feed server for tests: named feeds the test can change, conditional GET, and failure modes.

    with FeedServer() as server:
        server.set_feed("/news.xml", rss_xml([FixtureItem("Talks resume", guid="a1")]))
        fetch(server.url("/news.xml"))
        assert server.request_count("/news.xml") == 1

Every route is set (or replaced) with a ``set_*`` method and can be changed between polls. Feeds
honour If-None-Match / If-Modified-Since with 304s; ETag and Last-Modified change whenever the content
does. Failure modes: ``set_error`` (HTTP 500...), ``set_truncated`` (XML cut short), ``set_html``,
``set_mislabelled`` (wrong charset declared), ``set_huge`` (a streamed body of tens of MB),
``set_hang`` (accepts, never answers), ``set_drip`` (answers a byte at a time, forever), ``set_cut``
(connection dropped mid-body), ``set_redirect`` / ``set_redirect_chain``.
The server listens on 127.0.0.1 only, on a free port, and ``stop()`` ends every connection it holds.
"""

from __future__ import annotations

import hashlib
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from xml.sax.saxutils import escape, quoteattr

from tests.support.connections import shut_down_all

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Last-Modified values count up from here, one minute per change: distinct and ordered, whatever
# the wall clock does during a fast test.
_EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
_CHUNK = 64 * 1024


# --- fixture feeds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FixtureItem:
    """One item of a fixture feed; ``published`` may be a datetime, a raw date string or None."""

    title: str
    text: str = ""
    link: str | None = None
    guid: str | None = None
    published: datetime | str | None = None


def rss_xml(items: Iterable[FixtureItem], *, title: str = "Fixture wire", encoding: str = "utf-8") -> str:
    """An RSS 2.0 document; elements an item leaves as None are omitted."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>', '<rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>https://wire.example/</link>",
             "<description>Fixture feed for Vigil tests</description>"]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.link is not None:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        parts.append(f"<description>{escape(item.text)}</description>")
        if item.published is not None:
            parts.append(f"<pubDate>{escape(_rfc822(item.published))}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


def atom_xml(items: Iterable[FixtureItem], *, title: str = "Fixture wire") -> str:
    """An Atom 1.0 document; items' text becomes HTML ``content``, ``published`` goes to <published>."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             f"<title>{escape(title)}</title><id>urn:vigil:fixture</id>",
             "<updated>2025-06-01T00:00:00Z</updated>"]
    for item in items:
        parts.append("<entry>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.guid is not None:
            parts.append(f"<id>{escape(item.guid)}</id>")
        if item.link is not None:
            parts.append(f'<link rel="alternate" href={quoteattr(item.link)}/>')
        parts.append(f'<content type="html">{escape(item.text)}</content>')
        if item.published is not None:
            stamp = item.published.isoformat() if isinstance(item.published, datetime) else item.published
            parts.append(f"<published>{escape(stamp)}</published>")
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts)


def _rfc822(value: datetime | str) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True) if isinstance(value, datetime) else value


# --- what the server records ---------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    """A request as the server saw it (header names lower-cased)."""

    path: str
    query: str
    headers: Mapping[str, str]
    status: int | None  # None: the route never answered (hang)


# --- routes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Feed:
    body: bytes
    content_type: str
    etag: str | None
    last_modified: datetime | None


@dataclass(frozen=True)
class _Error:
    status: int
    body: bytes


@dataclass(frozen=True)
class _Huge:
    size: int
    declare_length: bool


@dataclass(frozen=True)
class _Hang:
    pass


@dataclass(frozen=True)
class _Drip:
    interval: float


@dataclass(frozen=True)
class _Cut:
    body: bytes
    keep: int


@dataclass(frozen=True)
class _Redirect:
    location: str
    status: int


_Route = _Feed | _Error | _Huge | _Hang | _Drip | _Cut | _Redirect


@dataclass
class _State:
    """Everything the handler threads share, behind one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    changed: threading.Condition = field(init=False)
    stopping: threading.Event = field(default_factory=threading.Event)
    routes: dict[str, _Route] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    bytes_sent: Counter[str] = field(default_factory=Counter)
    connections: set[socket.socket] = field(default_factory=set)
    versions: int = 0

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # the 500-feed bench opens dozens of connections at once

    def __init__(self, state: _State) -> None:
        self.state = state
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up mid-response is what the failure modes provoke; anything else is a bug
        # in this server and gets the default traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real feed servers do
    # Headers and body go out in separate writes; with Nagle on, each response waits for the
    # client's delayed ACK (~40 ms on Linux).
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.state.lock:
            self.server.state.connections.add(self.connection)

    def finish(self) -> None:
        with suppress(OSError):
            super().finish()
        with self.server.state.lock:
            self.server.state.connections.discard(self.connection)

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests read RecordedRequest, not stderr

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        state = self.server.state
        with state.lock:
            route = state.routes.get(path)
        # Recorded on arrival, so a test can wait for a request that will never be answered.
        headers = {name.lower(): value for name, value in self.headers.items()}
        with state.changed:
            state.requests.append(RecordedRequest(path, query, headers, self._status_for(route)))
            state.changed.notify_all()
        try:
            self._serve(path, route)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client went away: expected in the failure modes

    def _status_for(self, route: _Route | None) -> int | None:
        match route:
            case None:
                return 404
            case _Feed():
                return 304 if _not_modified(self.headers.get("If-None-Match"),
                                            self.headers.get("If-Modified-Since"), route) else 200
            case _Error(status) | _Redirect(_, status):
                return status
            case _Hang():
                return None
        return 200

    def _serve(self, path: str, route: _Route | None) -> None:
        match route:
            case None:
                self._plain(404, b"no such feed\n")
            case _Feed():
                self._feed(route)
            case _Error(status, body):
                self._plain(status, body)
            case _Redirect(location, status):
                self.send_response(status)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()
            case _Hang():
                self.server.state.stopping.wait()
                self.close_connection = True
            case _Drip(interval):
                self._drip(path, interval)
            case _Huge(size, declare_length):
                self._huge(path, size, declare_length)
            case _Cut(body, keep):
                self.send_response(200)
                self.send_header("Content-Type", RSS_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self._write(path, body[:keep])
                self.close_connection = True

    def _feed(self, feed: _Feed) -> None:
        validators = []
        if feed.etag:
            validators.append(("ETag", feed.etag))
        if feed.last_modified:
            validators.append(("Last-Modified", format_datetime(feed.last_modified, usegmt=True)))
        if _not_modified(self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), feed):
            self.send_response(304)
            for name, value in validators:
                self.send_header(name, value)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", feed.content_type)
        self.send_header("Content-Length", str(len(feed.body)))
        for name, value in validators:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(feed.body)

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, path: str, interval: float) -> None:
        self._start_chunked(RSS_TYPE)
        self._chunk(path, b'<?xml version="1.0"?>')
        # stopping.wait is the pacing here (the server's own clock), and returns at once on stop().
        while not self.server.state.stopping.wait(interval):
            self._chunk(path, b" ")
        self.close_connection = True

    def _huge(self, path: str, size: int, declare_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", RSS_TYPE)
        if declare_length:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        head = b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title><description>'
        filler = b"x" * _CHUNK
        sent = 0
        while sent < size and not self.server.state.stopping.is_set():
            piece = (head if sent == 0 else filler)[: size - sent]
            if declare_length:
                self._write(path, piece)
            else:
                self._chunk(path, piece)
            sent += len(piece)
        if not declare_length:
            self.wfile.write(b"0\r\n\r\n")

    def _start_chunked(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def _chunk(self, path: str, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
        with self.server.state.lock:
            self.server.state.bytes_sent[path] += len(data)

    def _write(self, path: str, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()
        with self.server.state.lock:
            self.server.state.bytes_sent[path] += len(data)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, feed: _Feed) -> bool:
    # RFC 9110: If-Modified-Since is ignored when If-None-Match is present.
    if if_none_match is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        return feed.etag is not None and ("*" in tags or feed.etag in tags)
    if if_modified_since is not None and feed.last_modified is not None:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and feed.last_modified <= since
    return False


# --- the server ----------------------------------------------------------------------------------


class FeedServer:
    """An HTTP server on 127.0.0.1 serving routes the test sets; see the module docstring."""

    def __init__(self) -> None:
        self._state = _State()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle

    def start(self) -> FeedServer:
        """Listen on a free port and serve in a background thread."""
        if self._server is not None:
            raise RuntimeError("FeedServer already started")
        self._server = _Server(self._state)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="feedserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release hanging routes and close every open connection."""
        if self._server is None:
            return
        self._state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        shut_down_all(self._state.lock, self._state.connections)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise RuntimeError("FeedServer not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        return self.base_url + _path(path)

    # routes

    def set_feed(
        self,
        path: str,
        body: bytes | str,
        *,
        content_type: str = RSS_TYPE,
        etag: bool | str = True,
        last_modified: bool | datetime = True,
    ) -> None:
        """Serve ``body`` at ``path`` (str is sent as UTF-8), replacing what was there.

        ``etag=True`` derives the ETag from the body; ``last_modified=True`` moves Last-Modified
        forward on every call. Pass False to send no such header, or a value to use that one.
        """
        data = body.encode("utf-8") if isinstance(body, str) else body
        with self._state.lock:
            self._state.versions += 1
            stamp = _EPOCH + timedelta(minutes=self._state.versions)
            self._state.routes[_path(path)] = _Feed(
                body=data, content_type=content_type,
                etag=(f'"{hashlib.sha256(data).hexdigest()[:16]}"' if etag is True else etag or None),
                last_modified=(stamp if last_modified is True else last_modified or None),
            )

    def set_error(self, path: str, status: int = 500, body: bytes = b"the feed is broken today\n") -> None:
        """Answer every request with ``status`` and a plain-text body."""
        self._set(path, _Error(status, body))

    def set_truncated(self, path: str, body: bytes | str, keep: float = 0.6) -> None:
        """Serve a complete HTTP response whose XML stops after ``keep`` (a fraction) of ``body``."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.set_feed(path, data[: int(len(data) * keep)])

    def set_html(self, path: str, html: str | None = None) -> None:
        """Serve an HTML page (text/html), as a site does when a feed URL is wrong."""
        page = html or ("<!DOCTYPE html><html><head><title>Newsroom</title></head>"
                        "<body><h1>Latest stories</h1><p>Nothing to see here.</p></body></html>")
        self.set_feed(path, page, content_type="text/html; charset=utf-8")

    def set_mislabelled(self, path: str, text: str, *, actual: str = "latin-1", declared: str = "utf-8",
                        content_type: str = "application/rss+xml") -> None:
        """Serve ``text`` encoded as ``actual`` while the Content-Type claims ``declared``."""
        self.set_feed(path, text.encode(actual), content_type=f"{content_type}; charset={declared}")

    def set_huge(self, path: str, size: int = 50_000_000, *, declare_length: bool = False) -> None:
        """Stream ``size`` bytes (chunked unless ``declare_length``); ``bytes_sent`` shows how far it got."""
        self._set(path, _Huge(size, declare_length))

    def set_hang(self, path: str) -> None:
        """Accept the request and never answer (until ``stop()``)."""
        self._set(path, _Hang())

    def set_drip(self, path: str, interval: float = 0.5) -> None:
        """Send headers, then one byte every ``interval`` seconds, forever (until ``stop()``)."""
        self._set(path, _Drip(interval))

    def set_cut(self, path: str, body: bytes | str, keep: float = 0.5) -> None:
        """Announce the full length of ``body``, send ``keep`` of it, and drop the connection."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self._set(path, _Cut(data, int(len(data) * keep)))

    def set_redirect(self, path: str, location: str, status: int = 302) -> None:
        """Redirect ``path`` to ``location`` (a path on this server or an absolute URL)."""
        self._set(path, _Redirect(location, status))

    def set_redirect_chain(self, path: str, target: str, hops: int, status: int = 302) -> list[str]:
        """Make ``path`` reach ``target`` through ``hops`` redirects; return the paths of the chain."""
        chain = [_path(path)] + [f"{_path(path)}~hop{n}" for n in range(1, hops)]
        for here, there in zip(chain, [*chain[1:], target], strict=True):
            self.set_redirect(here, there, status)
        return chain

    def remove(self, path: str) -> None:
        """Stop serving ``path`` (it answers 404)."""
        with self._state.lock:
            self._state.routes.pop(_path(path), None)

    def _set(self, path: str, route: _Route) -> None:
        with self._state.lock:
            self._state.routes[_path(path)] = route

    # observations

    def requests(self, path: str | None = None) -> list[RecordedRequest]:
        """The requests answered so far (to ``path`` only, if given), oldest first."""
        with self._state.lock:
            return [r for r in self._state.requests if path is None or r.path == _path(path)]

    def request_count(self, path: str) -> int:
        """How many requests ``path`` has answered."""
        return len(self.requests(path))

    def last_request(self, path: str) -> RecordedRequest:
        """The latest request to ``path``."""
        found = self.requests(path)
        if not found:
            raise AssertionError(f"no request to {path} yet")
        return found[-1]

    def bytes_sent(self, path: str) -> int:
        """Body bytes written for ``path`` by the streaming routes (huge, drip, cut)."""
        with self._state.lock:
            return self._state.bytes_sent[_path(path)]

    def wait_for_requests(self, path: str, count: int, timeout: float = 2.0) -> list[RecordedRequest]:
        """Block until ``path`` has answered ``count`` requests; AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._state.changed:
            while True:
                found = [r for r in self._state.requests if r.path == _path(path)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{path}: {len(found)} of {count} requests after {timeout}s")
                self._state.changed.wait(left)


def _path(path: str) -> str:
    return path if path.startswith("/") else "/" + path


@contextmanager
def running_feed_server() -> Iterator[FeedServer]:
    """A started ``FeedServer``, stopped on exit: the body of a pytest fixture."""
    with FeedServer() as server:
        yield server
