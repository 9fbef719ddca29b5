"""Fetching a feed's bytes over HTTP: conditional GET, total deadline, size cap, bounded redirects.

feedparser is never given a URL (see DESIGN.md, known pitfalls): this module does the network part,
and every way it can fail ends as a ``FetchError`` with a one-line reason.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus

import httpx

from service import __version__
from service.sources.deadline import Deadline
from service.sources.decoding import ACCEPT_ENCODING, BodyTooLarge, BodyUndecodable, decode_body

USER_AGENT = f"Vigil/{__version__} (+https://github.com/vigil-alerts/vigil)"
# Feed types first; */* last because plenty of servers label feeds text/html or text/plain.
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
#: What a ``kind: page`` source asks for: a web page.
ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


class FetchError(Exception):
    """The feed could not be fetched; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FetchResult:
    """One successful exchange: 2xx with its body, or 304 with an empty body."""

    status: int
    body: bytes
    url: str  # after redirects
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    content_location: str | None = None
    content_language: str | None = None
    link: str | None = None  # the Link header (RFC 8288): where a feed names its WebSub hub, if it does

    @property
    def not_modified(self) -> bool:
        """True for a 304: the feed is unchanged since the validators we sent."""
        return self.status == 304


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class _Limits:
    timeout: float
    max_bytes: int
    max_redirects: int


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 10.0,
    max_bytes: int = 10_000_000,
    max_redirects: int = 5,
    client: httpx.Client | None = None,
    accept: str = ACCEPT,
) -> FetchResult:
    """GET ``url`` conditionally; return the result or raise ``FetchError``.

    ``timeout`` bounds the whole exchange (connect, redirects, headers and body), ``max_bytes`` the
    decoded body, ``max_redirects`` the hops followed. Pass a shared ``client`` to reuse connections;
    its own redirect setting is ignored (redirects are counted here). ``accept`` is the Accept header
    (feed types unless told otherwise: ``ACCEPT_PAGE`` for web pages).
    """
    if timeout <= 0 or max_bytes <= 0 or max_redirects < 0:
        raise ValueError("timeout and max_bytes must be positive, max_redirects not negative")
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    limits = _Limits(float(timeout), max_bytes, max_redirects)
    if client is None:
        with httpx.Client() as own:
            return _fetch(own, url, headers, limits)
    return _fetch(client, url, headers, limits)


def _fetch(client: httpx.Client, url: str, headers: dict[str, str], limits: _Limits) -> FetchResult:
    with Deadline(limits.timeout) as deadline:
        try:
            return _follow(client, url, headers, limits, deadline)
        except FetchError:
            raise
        # ValueError: URLs httpx accepts but the IDNA codec refuses ("xn--"), and kin.
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as error:
            if deadline.expired or isinstance(error, httpx.TimeoutException):
                raise FetchError(_timed_out(limits)) from error
            raise FetchError(_describe(error)) from error


def _follow(
    client: httpx.Client, url: str, headers: dict[str, str], limits: _Limits, deadline: Deadline
) -> FetchResult:
    target = httpx.URL(url)
    for _hop in range(limits.max_redirects + 1):
        if target.scheme not in ("http", "https"):
            raise FetchError(f"unsupported URL scheme {target.scheme!r}" if target.scheme else "invalid URL")
        request = client.build_request(
            "GET", target, headers=headers, timeout=deadline.httpx_timeout(),
            extensions={"trace": deadline.trace},
        )
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            deadline.watch(response)
            if response.status_code in _REDIRECTS and "location" in response.headers:
                target = response.url.join(response.headers["location"])
                continue
            return _read(response, limits, deadline)
        finally:
            response.close()
    raise FetchError(f"too many redirects (more than {limits.max_redirects})")


def _read(response: httpx.Response, limits: _Limits, deadline: Deadline) -> FetchResult:
    status = response.status_code
    if status != 304 and not 200 <= status < 300:
        phrase = response.reason_phrase or _standard_phrase(status)
        raise FetchError(f"HTTP {status} {phrase}".strip())
    body = b"" if status == 304 else _body(response, limits, deadline)
    found = response.headers
    return FetchResult(
        status=status, body=body, url=str(response.url),
        etag=found.get("etag"), last_modified=found.get("last-modified"),
        content_type=found.get("content-type"), content_location=found.get("content-location"),
        content_language=found.get("content-language"), link=found.get("link"),
    )


def _body(response: httpx.Response, limits: _Limits, deadline: Deadline) -> bytes:
    declared = response.headers.get("content-length", "")
    # Refuse up front when the server announces too much; count anyway, as it may not tell.
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(_too_large(limits))
    try:
        # Raw bytes, decompressed here step by step: the cap then also stops compression bombs
        # before they fill memory (httpx's own decoding inflates a whole network read at once).
        return decode_body(
            _raw_chunks(response, limits, deadline), response.headers.get("content-encoding", ""), limits.max_bytes
        )
    except BodyTooLarge as error:
        raise FetchError(_too_large(limits)) from error
    except BodyUndecodable as error:
        raise FetchError(str(error)) from error


def _raw_chunks(response: httpx.Response, limits: _Limits, deadline: Deadline) -> Iterator[bytes]:
    for chunk in response.iter_raw():
        if deadline.expired:
            raise FetchError(_timed_out(limits))
        yield chunk


def _timed_out(limits: _Limits) -> str:
    return f"timed out after {limits.timeout}s"


def _too_large(limits: _Limits) -> str:
    return f"response larger than {limits.max_bytes} bytes"


def _standard_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _describe(error: Exception) -> str:
    """A short reason for a network failure, from the most specific cause in the chain."""
    causes = _chain(error)
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "host not found"
    if any(isinstance(c, ssl.SSLCertVerificationError) for c in causes):
        return "TLS certificate not trusted"
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return "TLS handshake failed"
    if any(isinstance(c, ConnectionResetError) for c in causes):
        return "connection reset by server"
    if isinstance(error, httpx.RemoteProtocolError):
        message = str(error).lower()
        if "closed" in message or "disconnected" in message:
            return "server closed the connection before the response was complete"
        return f"invalid HTTP response ({_first_line(error)})"
    if isinstance(error, httpx.DecodingError):
        return "response body could not be decoded (bad content-encoding)"
    if isinstance(error, httpx.InvalidURL | httpx.UnsupportedProtocol | UnicodeError):
        return f"invalid URL ({_first_line(error)})"
    return f"{type(error).__name__}: {_first_line(error)}"


def _chain(error: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text if len(text) <= 160 else text[:157] + "..."
