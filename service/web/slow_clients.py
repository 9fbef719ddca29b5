"""Holding the HTTP server against slow clients: a deadline on reading each request, a cap on connections.

uvicorn bounds only the idle time between requests (its keep-alive timeout). A client that sends half a
request head, or trickles a byte now and then (slow loris), held its connection open indefinitely, and
enough of them use up the server. Here each request, head and body, must arrive in full within
``read_timeout`` seconds of its first byte (of the connection, for the first request), or the connection
is closed; and at most ``MAX_CONNECTIONS`` are served at once (uvicorn answers 503 past that).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Seconds a client has to send a whole request (head and body) once it starts.
READ_TIMEOUT_SECONDS = 15.0
#: Connections and requests in progress at once; uvicorn answers 503 past this.
MAX_CONNECTIONS = 100


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request does not arrive in full in time."""

    read_timeout = READ_TIMEOUT_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request."""
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Start the clock on a request's first byte; stop it once the request has arrived in full."""
        if self._read_deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE and self.conn.their_state is not h11.SEND_BODY:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the clock with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._read_deadline = self.loop.call_later(self.read_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _too_slow(self) -> None:
        self._read_deadline = None
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
            if self.cycle is not None and not self.cycle.response_complete:
                self.cycle.disconnected = True  # an app still reading the body sees the client gone
            self.transport.close()


def deadline_protocol(read_timeout: float) -> type[DeadlineH11Protocol]:
    """The protocol class with its own read timeout (uvicorn takes a class, not an instance)."""
    return type("DeadlineH11Protocol", (DeadlineH11Protocol,), {"read_timeout": read_timeout})
