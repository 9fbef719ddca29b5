"""Closing a test server's open client connections, shared by the feed server and the raw server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Set
from contextlib import suppress


def shut_down_all(lock: threading.Lock, connections: Set[socket.socket]) -> None:
    """Shut down every connection in ``connections`` (read under ``lock``): handlers blocked on them return."""
    with lock:
        open_connections = list(connections)
    for conn in open_connections:
        with suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
