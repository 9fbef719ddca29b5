"""A loopback HTTP endpoint for apprise's ``json://``: what the demo's subscriber receives."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class ReceivedAlert:
    """A notification as apprise delivered it."""

    title: str
    body: str


class AlertReceiver:
    """Collects the notifications posted to it, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[ReceivedAlert] = []
        received, lock = self._received, self._lock

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length) or b"{}")
                with lock:
                    received.append(ReceivedAlert(payload.get("title", ""), payload.get("message", "")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def apprise_url(self) -> str:
        """The apprise URL that delivers here."""
        return f"json://127.0.0.1:{self._server.server_address[1]}/alerts"

    def take(self) -> list[ReceivedAlert]:
        """Everything received since the last call."""
        with self._lock:
            taken = list(self._received)
            self._received.clear()
        return taken

    def __enter__(self) -> AlertReceiver:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
