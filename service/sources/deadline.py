"""A total time limit over one HTTP exchange, enforced by shutting its socket down when time is up.

httpx's timeouts apply to each network operation (connect, each read), so a server that sends a byte
every few seconds never trips them. ``Deadline`` arms a timer for the whole exchange, redirects
included; when it fires it shuts down the socket the exchange is using, which wakes the blocked read
at once, and the caller reports a timeout. The socket is learnt from httpx's documented ``trace``
request extension (on connect) and ``network_stream`` response extension (on a reused connection).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import Any, Protocol

import httpx


class _NetworkStream(Protocol):
    def get_extra_info(self, info: str) -> Any: ...


# Trace events (httpcore's names) that hand us the stream of a freshly opened connection.
_CONNECTED = frozenset({"connection.connect_tcp.complete", "connection.start_tls.complete"})
# Emitted before a finished response gives its connection back to the pool: from then on the
# socket may serve another thread's request, so it must no longer be shut down on our account.
_RELEASED = frozenset({"http11.response_closed.started", "http2.response_closed.started"})


class Deadline:
    """Ends one exchange ``seconds`` after it is entered, however slowly the server answers.

    Use as a context manager around the requests; pass ``trace`` as the ``trace`` request extension,
    ``httpx_timeout()`` as each request's timeout, and call ``watch(response)`` once headers arrive.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._stream: _NetworkStream | None = None
        self._fired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True  # never keeps the interpreter alive

    def __enter__(self) -> Deadline:
        self._ends = time.monotonic() + self.seconds
        self._timer.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._timer.cancel()
        with self._lock:
            self._stream = None

    @property
    def expired(self) -> bool:
        """True once the time is up (whether or not the timer has fired yet)."""
        return self._fired or time.monotonic() >= self._ends

    def remaining(self) -> float:
        """Seconds left, never zero (httpx treats 0 as "fail at once", which is what we want anyway)."""
        return max(self._ends - time.monotonic(), 0.001)

    def httpx_timeout(self) -> httpx.Timeout:
        """Per-operation timeouts bounded by what is left, for the phases the timer cannot cut short."""
        return httpx.Timeout(self.remaining())

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpx ``trace`` extension callback: learns and forgets the connection's stream."""
        if event in _CONNECTED:
            self._track(info.get("return_value"))
        elif event in _RELEASED:
            self._track(None)

    def watch(self, response: httpx.Response) -> None:
        """Track the stream a response arrived on (covers connections reused from the pool)."""
        self._track(response.extensions.get("network_stream"))

    # Shutting down happens under the lock, so it can never hit a connection that was handed back
    # to the pool (``_track(None)``) in the meantime.
    def _track(self, stream: _NetworkStream | None) -> None:
        with self._lock:
            self._stream = stream
            if self._fired and stream is not None:
                self._shut(stream)

    def _expire(self) -> None:
        with self._lock:
            self._fired = True
            if self._stream is not None:
                self._shut(self._stream)

    @staticmethod
    def _shut(stream: _NetworkStream) -> None:
        sock = stream.get_extra_info("socket")
        if sock is None:
            return
        # The base-class method: on a TLS socket it shuts the descriptor down without tearing the TLS
        # object out from under the thread reading from it. OSError: already closed, nothing to do.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
