"""Rendering entries as an RSS 2.0 document, and serving a set of feeds on loopback."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape


@dataclass(frozen=True)
class FeedItem:
    """One entry of a served feed."""

    guid: str
    title: str
    text: str
    published: datetime
    link: str


def render_rss(title: str, items: Sequence[FeedItem]) -> bytes:
    """An RSS 2.0 document with the given items, newest first."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>{escape(title)}</description>",
    ]
    for item in sorted(items, key=lambda i: i.published, reverse=True):
        parts.append(
            f'<item><guid isPermaLink="false">{escape(item.guid)}</guid><title>{escape(item.title)}</title>'
            f"<link>{escape(item.link)}</link><description>{escape(item.text)}</description>"
            f"<pubDate>{format_datetime(item.published)}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


class FeedServer:
    """Serves ``/<name>.xml`` for each feed set with ``publish``; contents can change between polls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._feeds: dict[str, bytes] = {}
        feeds, lock = self._feeds, self._lock

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                with lock:
                    body = feeds.get(self.path.strip("/").removesuffix(".xml"))
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: object) -> None:
                """Quiet: the demo prints what matters."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, name: str) -> str:
        """The URL of feed ``name``."""
        return f"{self.base_url}/{name}.xml"

    def publish(self, feeds: Mapping[str, bytes]) -> None:
        """Replace the served documents."""
        with self._lock:
            self._feeds.clear()
            self._feeds.update(feeds)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
