"""Serving the web app from inside the daemon: uvicorn in a background thread, stopped on request.

The socket is bound before the thread starts, so an address in use is one clear error at start-up. The
daemon keeps its own signal handling: uvicorn installs handlers only when it runs in the main thread,
and here it never does.
"""

from __future__ import annotations

import logging
import socket
import threading

import uvicorn

from service.web.access_log import install_path_only_access_log
from service.web.app import create_app
from service.web.context import WebContext
from service.web.listen import ListenAddress, ListenError
from service.web.slow_clients import MAX_CONNECTIONS, READ_TIMEOUT_SECONDS, deadline_protocol

log = logging.getLogger("vigil.web")

STOP_TIMEOUT_SECONDS = 10.0


class WebServer:
    """The app on a bound socket, served by uvicorn in a daemon thread until ``stop``."""

    def __init__(
        self, address: ListenAddress, context: WebContext, *, read_timeout: float = READ_TIMEOUT_SECONDS
    ) -> None:
        self.address = address
        self._socket = _bind(address)
        install_path_only_access_log()
        config = uvicorn.Config(
            create_app(context),
            log_config=None,  # Vigil's logging (text or JSON) already formats every logger
            lifespan="off",
            timeout_graceful_shutdown=5,
            server_header=False,
            http=deadline_protocol(read_timeout),  # type: ignore[arg-type]
            limit_concurrency=MAX_CONNECTIONS,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="vigil-http", daemon=True)

    @property
    def port(self) -> int:
        """The port actually bound (differs from the one asked for when that was 0)."""
        return int(self._socket.getsockname()[1])

    def start(self) -> None:
        """Start serving in the background."""
        self._thread.start()
        log.info("serving HTTP on %s", ListenAddress(self.address.host, self.port), extra={"port": self.port})

    def stop(self) -> None:
        """Finish the requests in flight (up to a few seconds) and stop serving."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT_SECONDS)
        self._socket.close()
        log.info("HTTP stopped")

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except Exception:  # the daemon goes on polling and alerting without its web face
            log.exception("HTTP server failed")


def _bind(address: ListenAddress) -> socket.socket:
    family = socket.AF_INET6 if ":" in address.host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off only on sockets that say they are TCP, and with Nagle on
    # every response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address.host, address.port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        raise ListenError(f"cannot serve HTTP on {address}: {error.strerror or error}") from None
    sock.set_inheritable(False)
    return sock
