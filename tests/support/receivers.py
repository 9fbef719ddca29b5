"""Real notification targets on loopback, for tests that send through apprise.

- ``JsonReceiver``: an HTTP server for apprise's ``json://`` URLs; records every request and can be told
  to answer 500 a number of times before it answers 200, or to take its time over each answer.
- ``SmtpReceiver``: an aiosmtpd server for ``mailto://`` URLs (no AUTH: aiosmtpd refuses it without TLS).
- ``MqttSubscriber``: a paho-mqtt client subscribed to a topic of the local Mosquitto broker.

Each is a context manager and has ``wait_for(predicate, timeout)``, which polls (never a fixed sleep)
and returns the first recorded item the predicate accepts.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar

T = TypeVar("T")

POLL_INTERVAL = 0.01
MQTT_HOST = "127.0.0.1"
MQTT_PORT = 1883


def poll(fetch: Callable[[], list[T]], predicate: Callable[[T], bool], timeout: float, what: str) -> T:
    """Return the first item of ``fetch()`` that satisfies ``predicate``, polling until ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        for item in fetch():
            if predicate(item):
                return item
        if time.monotonic() >= deadline:
            raise TimeoutError(f"no {what} matched within {timeout}s (got {len(fetch())})")
        # Polling, not waiting for a fixed time: returns as soon as the item shows up.
        time.sleep(POLL_INTERVAL)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- JSON over HTTP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpRequest:
    """One request the JSON receiver got, and the status it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class JsonReceiver:
    """A local HTTP server recording every request; ``fail_times`` requests get 500 before 200s.

    ``delay`` seconds pass between receiving a request (it is recorded at once) and answering it: a slow
    target, as a webhook behind a busy server is.
    """

    def __init__(self, fail_times: int = 0, fail_status: int = 500, delay: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._delay = delay
        self._requests: list[HttpRequest] = []
        self._failures_left = fail_times
        self._fail_status = fail_status
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval makes shutdown (and so each test) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="json-receiver", daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    def url(self, path: str = "/hook", query: str = "") -> str:
        """An apprise ``json://`` URL pointing at this receiver."""
        return f"json://127.0.0.1:{self.port}{path}" + (f"?{query}" if query else "")

    def fail_next(self, times: int, status: int = 500) -> None:
        """Answer the next ``times`` requests with ``status``."""
        with self._lock:
            self._failures_left = times
            self._fail_status = status

    def requests(self) -> list[HttpRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def wait_for(self, predicate: Callable[[HttpRequest], bool] = lambda _: True,
                 timeout: float = 5.0) -> HttpRequest:
        """The first request satisfying ``predicate``, polling up to ``timeout`` seconds."""
        return poll(self.requests, predicate, timeout, "HTTP request")

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            if self._failures_left > 0:
                self._failures_left -= 1
                status = self._fail_status
            else:
                status = 200
            self._requests.append(HttpRequest(method, path, headers, body, status))
            return status

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = receiver._answer(self.command, self.path, dict(self.headers.items()), body)
                time.sleep(receiver._delay)  # the slow target itself, not a test waiting for something
                payload = b'{"ok": true}' if status < 400 else b'{"error": "test failure"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = do_GET = _handle  # noqa: N815 - http.server's naming

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - overridden signature
                return  # keep test output clean

        return Handler

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    """One message the SMTP receiver accepted."""

    mail_from: str
    rcpt_tos: list[str]
    message: Message

    @property
    def subject(self) -> str:
        """The decoded Subject header."""
        from email.header import decode_header, make_header

        return str(make_header(decode_header(self.message.get("Subject", ""))))

    @property
    def text(self) -> str:
        """Every text part of the message, decoded and joined."""
        parts = self.message.walk() if self.message.is_multipart() else [self.message]
        texts = []
        for part in parts:
            if part.get_content_maintype() == "text":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
        return "\n".join(texts)


class SmtpReceiver:
    """A local aiosmtpd server recording every message (no AUTH, no TLS)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mails: list[ReceivedMail] = []
        self._controller: Any = None
        self.port = 0

    def url(self, sender: str = "vigil@example.org", to: str = "ops@example.org") -> str:
        """An apprise ``mailto://`` URL pointing at this receiver."""
        return f"mailto://127.0.0.1:{self.port}?from={sender}&to={to}"

    def mails(self) -> list[ReceivedMail]:
        """Every message received so far, oldest first."""
        with self._lock:
            return list(self._mails)

    def wait_for(self, predicate: Callable[[ReceivedMail], bool] = lambda _: True,
                 timeout: float = 5.0) -> ReceivedMail:
        """The first message satisfying ``predicate``, polling up to ``timeout`` seconds."""
        return poll(self.mails, predicate, timeout, "mail")

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        """aiosmtpd hook: record the message."""
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        with self._lock:
            self._mails.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(raw)))
        return "250 Message accepted"

    def __enter__(self) -> Self:
        from aiosmtpd.controller import Controller

        # aiosmtpd's Controller cannot listen on port 0 (it connects to itself to check it is up),
        # so pick a free port and retry if another process takes it first.
        for _ in range(5):
            self.port = free_port()
            controller = Controller(self, hostname="127.0.0.1", port=self.port)
            try:
                controller.start()
            except (OSError, RuntimeError):
                continue
            self._controller = controller
            return self
        raise RuntimeError("could not start the local SMTP receiver")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._controller is not None:
            self._controller.stop()


# --- MQTT ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MqttMessage:
    """One message received on the subscribed topic."""

    topic: str
    payload: bytes

    @property
    def text(self) -> str:
        """The payload decoded as UTF-8."""
        return self.payload.decode("utf-8", errors="replace")


@dataclass
class MqttSubscriber:
    """Subscribes to ``topic`` on the local broker; a fresh unique topic unless one is given."""

    topic: str = field(default_factory=lambda: f"vigil/test-{uuid.uuid4().hex[:12]}")
    host: str = MQTT_HOST
    port: int = MQTT_PORT
    _messages: list[MqttMessage] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _subscribed: threading.Event = field(default_factory=threading.Event, init=False)
    _client: Any = field(default=None, init=False)

    def url(self) -> str:
        """An apprise ``mqtt://`` URL publishing to this subscriber's topic."""
        return f"mqtt://{self.host}:{self.port}/{self.topic}"

    def messages(self) -> list[MqttMessage]:
        """Every message received so far, oldest first."""
        with self._lock:
            return list(self._messages)

    def wait_for(self, predicate: Callable[[MqttMessage], bool] = lambda _: True,
                 timeout: float = 5.0) -> MqttMessage:
        """The first message satisfying ``predicate``, polling up to ``timeout`` seconds."""
        return poll(self.messages, predicate, timeout, "MQTT message")

    def __enter__(self) -> Self:
        import paho.mqtt.client as mqtt

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"vigil-test-{uuid.uuid4().hex[:8]}")

        def on_connect(client: Any, userdata: Any, flags: Any, reason_code: Any, properties: Any) -> None:
            client.subscribe(self.topic, qos=1)

        def on_subscribe(client: Any, userdata: Any, mid: Any, reason_codes: Any, properties: Any) -> None:
            self._subscribed.set()

        def on_message(client: Any, userdata: Any, message: Any) -> None:
            with self._lock:
                self._messages.append(MqttMessage(message.topic, bytes(message.payload)))

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        client.connect(self.host, self.port, keepalive=30)
        client.loop_start()
        self._client = client
        # A message published before the broker registered the subscription would be lost.
        if not self._subscribed.wait(timeout=5):
            self.__exit__(None, None, None)
            raise TimeoutError(f"MQTT subscription to {self.topic} was not acknowledged")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
