"""WebSub (W3C, 2018) for ``websub: true`` sources: find the feed's hub, subscribe, and check what it sends.

A feed names its hub in a ``Link: <...>; rel="hub"`` header or a ``<link rel="hub" href="...">`` element
(``<atom:link>`` in RSS), and its topic in ``rel="self"`` (else the feed's URL is the topic). The daemon
asks the hub to call back ``<base>/websub/<token>``, with a random token and a random secret per
subscription: the hub checks the intent with a GET that must echo ``hub.challenge``, then POSTs each new
version of the feed signed with the secret (``X-Hub-Signature: sha256=<HMAC>``). A ping only makes the
daemon poll the source at once: the feed is still read through the poller, so a forged or replayed ping
can cost one conditional GET, never a false entry. Scheduled polls go on whatever the hub does.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from service.sources.fetch import USER_AGENT, FetchResult

#: Lease the daemon asks hubs for (hubs may grant another): ten days, as common hubs default to.
LEASE_SECONDS = 10 * 24 * 3600
#: How much of a feed is searched for its hub: the channel's head comes before its entries.
_HEAD_BYTES = 65_536
_LINK_ELEMENT = re.compile(rb"<(?:[A-Za-z][\w-]*:)?link\b([^<>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LINK_HEADER = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL = re.compile(r"""rel\s*=\s*"?([^";,]*)"?""", re.IGNORECASE)
_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}


@dataclass(frozen=True)
class PushTopic:
    """Where a feed's pings come from: its hub, and the topic URL the hub knows it by."""

    hub: str
    topic: str


class SubscribeError(Exception):
    """The hub refused the subscription request or could not be reached; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def discover(result: FetchResult) -> PushTopic | None:
    """The hub and topic a fetched feed names (the Link header first, as the spec says); None if no hub."""
    links = _header_links(result.link or "") + _element_links(result.body[:_HEAD_BYTES])
    base = result.url
    hubs = [urljoin(base, href) for rel, href in links if rel == "hub"]
    selves = [urljoin(base, href) for rel, href in links if rel == "self"]
    hub = next((url for url in hubs if _is_web_url(url)), None)
    if hub is None:
        return None
    return PushTopic(hub=hub, topic=next((url for url in selves if _is_web_url(url)), result.url))


def subscribe(
    client: httpx.Client, topic: PushTopic, *, callback: str, secret: str, timeout: float,
    lease_seconds: int = LEASE_SECONDS,
) -> None:
    """Ask ``topic.hub`` to call ``callback`` with ``topic``'s new content; raise ``SubscribeError`` if refused.

    The hub answers 202 and checks the intent later (or first, then 2xx): either way the subscription
    counts only once the hub's GET reaches ``callback`` with the challenge.
    """
    form = {
        "hub.mode": "subscribe", "hub.topic": topic.topic, "hub.callback": callback,
        "hub.secret": secret, "hub.lease_seconds": str(lease_seconds),
    }
    try:
        response = client.post(topic.hub, data=form, headers={"User-Agent": USER_AGENT}, timeout=timeout,
                               follow_redirects=False)
    except httpx.HTTPError as error:
        raise SubscribeError(f"hub unreachable ({type(error).__name__})") from error
    if not 200 <= response.status_code < 300:
        raise SubscribeError(f"hub refused the subscription: HTTP {response.status_code}")


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` (``X-Hub-Signature: <algorithm>=<hex>``) is the HMAC of ``body`` with ``secret``."""
    algorithm, _, digest = (header or "").strip().partition("=")
    method = _ALGORITHMS.get(algorithm.lower())
    if method is None or not digest:
        return False
    expected = hmac.new(secret.encode("utf-8"), body, method).hexdigest()
    return hmac.compare_digest(expected, digest.strip().lower())


def _header_links(header: str) -> list[tuple[str, str]]:
    found = []
    for target, params in _LINK_HEADER.findall(header):
        rel = _REL.search(params)
        for name in (rel.group(1).lower().split() if rel else []):
            found.append((name, target.strip()))
    return found


def _element_links(head: bytes) -> list[tuple[str, str]]:
    found = []
    for element in _LINK_ELEMENT.finditer(head):
        attributes = {name.lower(): (double or single) for name, double, single in _ATTRIBUTE.findall(element.group(1))}
        rel, href = attributes.get(b"rel", b""), attributes.get(b"href", b"")
        for name in rel.decode("utf-8", "replace").lower().split():
            found.append((name, href.decode("utf-8", "replace").strip()))
    return found


def _is_web_url(url: str) -> bool:
    scheme, _, rest = url.partition(":")
    return scheme.lower() in ("http", "https") and rest.startswith("//")
