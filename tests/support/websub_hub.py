"""A small WebSub hub for tests, on 127.0.0.1: takes subscriptions, verifies them, and publishes.

    with WebSubHub() as hub:
        ...  # a feed names hub.url as its <link rel="hub">; a subscriber POSTs hub.mode=subscribe
        hub.wait_verified(topic)                    # the hub's GET to the callback echoed the challenge
        hub.publish(topic, body)                    # POST body to each callback, signed with its secret
        hub.publish(topic, body, secret="forged")   # ... signed with the wrong secret

As the spec has it: a subscription request is answered 202, then verified asynchronously with a GET to
the callback carrying ``hub.challenge``, which must come back as the body of a 2xx.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs

import httpx

from tests.support.receivers import poll

LEASE_SECONDS = 3600


@dataclass
class HubSubscription:
    """One subscription as the hub keeps it."""

    callback: str
    topic: str
    secret: str
    verified: bool = False
    verification_status: int | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _HubServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if form.get("hub.mode") != "subscribe" or not form.get("hub.callback") or not form.get("hub.topic"):
            self.send_response(400)
            self.end_headers()
            return
        subscription = HubSubscription(form["hub.callback"], form["hub.topic"], form.get("hub.secret", ""))
        with self.server.lock:
            self.server.subscriptions.append(subscription)
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()
        threading.Thread(target=self.server.verify, args=(subscription,), daemon=True).start()


class _HubServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.subscriptions: list[HubSubscription] = []

    def verify(self, subscription: HubSubscription) -> None:
        challenge = secrets.token_urlsafe(16)
        params = {"hub.mode": "subscribe", "hub.topic": subscription.topic, "hub.challenge": challenge,
                  "hub.lease_seconds": str(LEASE_SECONDS)}
        try:
            answer = httpx.get(subscription.callback, params=params, timeout=10)
        except httpx.HTTPError:
            return
        with self.lock:
            subscription.verification_status = answer.status_code
            subscription.verified = answer.status_code == 200 and answer.text == challenge


class WebSubHub:
    """The hub; see the module docstring."""

    def __init__(self) -> None:
        self._server = _HubServer()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="websub-hub", daemon=True)

    def __enter__(self) -> WebSubHub:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """The hub's URL, as a feed names it."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def subscriptions(self) -> list[HubSubscription]:
        """Every subscription request received, oldest first."""
        with self._server.lock:
            return list(self._server.subscriptions)

    def wait_verified(self, topic: str, timeout: float = 60.0) -> HubSubscription:
        """The first subscription to ``topic`` whose callback echoed the challenge (polled until ``timeout``)."""
        return poll(self.subscriptions, lambda s: s.topic == topic and s.verified, timeout,
                    f"verified subscription to {topic}")

    def publish(self, topic: str, body: bytes, *, secret: str | None = None) -> list[int]:
        """POST ``body`` to every verified callback of ``topic``, signed (sha256) with its secret or ``secret``."""
        statuses = []
        for subscription in self.subscriptions():
            if subscription.topic != topic or not subscription.verified:
                continue
            key = (secret if secret is not None else subscription.secret).encode()
            signature = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
            response = httpx.post(subscription.callback, content=body, timeout=10,
                                  headers={"Content-Type": "application/rss+xml", "X-Hub-Signature": signature})
            statuses.append(response.status_code)
        return statuses
