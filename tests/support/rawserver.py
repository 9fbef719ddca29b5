"""A raw-socket HTTP server for responses no well-behaved server library will send.

    with RawServer() as raw:
        raw.set_raw("/bomb.xml", head(200, {"Content-Encoding": "gzip"}) + compressed)
        raw.set_trickle("/loris.xml", b"HTTP/1.1 200 OK\\r\\n", b"X-Slow: 1\\r\\n", interval=1.0)

``set_raw`` sends the exact bytes given (status line, headers and body) and closes the connection;
``set_trickle`` sends its prefix and then its filler one byte every ``interval`` seconds, forever (a
slow-loris server: every read gets a byte in time, the response never ends). Unknown paths get a 404.
Listens on 127.0.0.1 on a free port; ``stop()`` ends every connection at once.
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from types import TracebackType

from tests.support.connections import shut_down_all

_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def head(status: int, headers: Mapping[str, str], reason: str = "OK") -> bytes:
    """A status line and headers, ready to be followed by a body."""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass(frozen=True)
class _Raw:
    data: bytes


@dataclass(frozen=True)
class _Trickle:
    prefix: bytes
    filler: bytes
    interval: float


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    routes: dict[str, _Raw | _Trickle] = field(default_factory=dict)
    connections: set[socket.socket] = field(default_factory=set)
    hits: dict[str, int] = field(default_factory=dict)


class RawServer:
    """Serves byte-exact or never-ending responses; see the module docstring."""

    def __init__(self) -> None:
        self._state = _State()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> RawServer:
        """Listen on a free loopback port and accept in a background thread."""
        listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, args=(listener,), name="rawserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting and close every open connection."""
        if self._listener is None:
            return
        self._state.stopping.set()
        with suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        shut_down_all(self._state.lock, self._state.connections)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._listener = None

    def __enter__(self) -> RawServer:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` on this server."""
        if self._listener is None:
            raise RuntimeError("RawServer not started")
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}{path}"

    def set_raw(self, path: str, data: bytes) -> None:
        """Answer ``path`` with exactly ``data``, then close."""
        with self._state.lock:
            self._state.routes[path] = _Raw(data)

    def set_trickle(self, path: str, prefix: bytes, filler: bytes, interval: float = 1.0) -> None:
        """Answer ``path`` one byte every ``interval`` seconds: ``prefix``, then ``filler`` forever."""
        with self._state.lock:
            self._state.routes[path] = _Trickle(prefix, filler, interval)

    def hits(self, path: str) -> int:
        """How many requests for ``path`` arrived."""
        with self._state.lock:
            return self._state.hits.get(path, 0)

    def _accept(self, listener: socket.socket) -> None:
        while not self._state.stopping.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with self._state.lock:
                self._state.connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            path = _request_path(conn)
            with self._state.lock:
                route = self._state.routes.get(path)
                self._state.hits[path] = self._state.hits.get(path, 0) + 1
            match route:
                case _Raw(data):
                    conn.sendall(data)
                case _Trickle(prefix, filler, interval):
                    self._trickle(conn, prefix, filler, interval)
                case None:
                    conn.sendall(_NOT_FOUND)
        except OSError:
            pass  # the client hung up: what the hostile routes provoke
        finally:
            with self._state.lock:
                self._state.connections.discard(conn)
            conn.close()

    def _trickle(self, conn: socket.socket, prefix: bytes, filler: bytes, interval: float) -> None:
        data = itertools.chain(prefix, itertools.cycle(filler))
        for byte in data:
            conn.sendall(bytes([byte]))
            # The server's own pacing, not a wait for a condition; stop() cuts it short.
            if self._state.stopping.wait(interval):
                return


def _request_path(conn: socket.socket) -> str:
    """Read the request head (up to its blank line) and return the path it asks for."""
    received = b""
    while b"\r\n\r\n" not in received and len(received) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        received += chunk
    parts = received.split(b"\r\n", 1)[0].split()
    return parts[1].decode("latin-1").split("?", 1)[0] if len(parts) >= 2 else ""
