"""Where and how the daemon serves HTTP, read from its options: ``--http HOST:PORT`` and ``VIGIL_API_TOKEN``.

Kept free of the web stack's imports, so every other ``vigil`` command starts as fast as before.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Tokens shorter than this are refused: a bearer token is only as good as it is hard to guess.
MIN_TOKEN_LENGTH = 16


class ListenError(ValueError):
    """The HTTP address cannot be used (malformed, or the port is taken); the message says which."""


@dataclass(frozen=True)
class ListenAddress:
    """Where to serve HTTP: ``host:port`` (``[::1]:port`` for IPv6)."""

    host: str
    port: int

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def parse_listen_address(value: str) -> ListenAddress:
    """``HOST:PORT`` as given to ``--http`` (or ``VIGIL_HTTP``); ListenError naming the value if malformed."""
    host, colon, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not colon or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ListenError(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8080, or port 0 for any free port)")
    return ListenAddress(host, int(port))


def check_api_token(token: str | None) -> str | None:
    """The token to require, None when none is configured; ListenError when it is too short to be safe."""
    if not token:
        return None
    if len(token) < MIN_TOKEN_LENGTH:
        raise ListenError(
            f"VIGIL_API_TOKEN is too short ({len(token)} characters, at least {MIN_TOKEN_LENGTH}); "
            "make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return token
