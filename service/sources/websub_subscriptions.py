"""The ``websub_subscriptions`` table: asking a source's hub for pings, keeping the subscription alive,
and answering what the hub sends to the callback.

One row per ``websub: true`` source: hub, topic, callback token, secret, and where the subscription
stands (requested, verified until ``expires_at``, failed or denied, with why). The secret stays in
this table: never in an event, a log line or a page. Several daemons on one database take a lease
before subscribing, so a source is subscribed once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import httpx
from sqlalchemy import text

from service.rules.models import SourceSpec
from service.sources.fetch import FetchError, fetch
from service.sources.websub import LEASE_SECONDS, SubscribeError, discover, signature_matches, subscribe
from service.store.hashing import timestamp_text
from service.store.leases import claim, release
from service.store.recorder import EventStore

#: A request the hub never verified is made again after this long; a failed or denied one after RETRY.
UNVERIFIED_AFTER = timedelta(minutes=10)
RETRY = timedelta(hours=1)
#: A verified subscription is renewed when less than this share of its lease (and at most a day) is left.
RENEW_SHARE = 0.2
_DETAIL_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_COLUMNS = "source, token, hub, topic, secret, state, requested_at, expires_at, detail"
_BY_SOURCE = text(f"SELECT {_COLUMNS} FROM websub_subscriptions WHERE source = :source")
_BY_TOKEN = text(f"SELECT {_COLUMNS} FROM websub_subscriptions WHERE token = :token")
_UPSERT = text(
    f"INSERT INTO websub_subscriptions ({_COLUMNS}) VALUES (:source, :token, :hub, :topic, :secret, :state, "
    ":requested_at, :expires_at, :detail) ON CONFLICT (source) DO UPDATE SET token = excluded.token, "
    "hub = excluded.hub, topic = excluded.topic, secret = excluded.secret, state = excluded.state, "
    "requested_at = excluded.requested_at, expires_at = excluded.expires_at, detail = excluded.detail"
)
_SET_STATE = text(
    "UPDATE websub_subscriptions SET state = :state, expires_at = :expires_at, detail = :detail WHERE token = :token"
)


@dataclass(frozen=True)
class Subscription:
    """A source's subscription as the table holds it (``secret`` included: never show this object)."""

    source: str
    token: str
    hub: str
    topic: str
    secret: str
    state: Literal["requested", "verified", "failed", "denied"]
    requested_at: str
    expires_at: str | None
    detail: str | None

    def __repr__(self) -> str:  # a stray log line must not carry the secret
        return f"Subscription(source={self.source!r}, hub={self.hub!r}, state={self.state!r})"


def subscription_of(store: EventStore, source: str) -> Subscription | None:
    """The subscription row of ``source``, if any."""
    with store.reading() as conn:
        return _row(conn.execute(_BY_SOURCE, {"source": source}).first())


def keep_subscribed(
    store: EventStore, source: str, spec: SourceSpec, *, callback_base: str, client: httpx.Client,
    owner: str, now: datetime, timeout: float = 20.0, max_bytes: int = 10_000_000,
) -> str | None:
    """Subscribe ``source`` to its feed's hub when it is not (or soon no longer) subscribed.

    Returns a line saying what was done (None: nothing was due); problems are recorded on the row
    and returned, never raised: the source is polled on schedule whatever happens here.
    """
    current = subscription_of(store, source)
    if not _due(current, now):
        return None
    lease = f"websub:{source}"
    with store.transaction() as tx:
        if not claim(tx.connection, lease, owner, now=now, until=now + timedelta(seconds=timeout * 2 + 10)):
            return None
    try:
        return _request(store, source, spec, current, callback_base, client, now, timeout, max_bytes)
    finally:
        with store.transaction() as tx:
            release(tx.connection, lease, owner)


def answer_intent(store: EventStore, token: str, params: dict[str, str], now: datetime) -> str | None:
    """The body that answers a hub's verification GET, or None for 404 (a callback or topic we never asked for).

    ``subscribe`` with our topic: the subscription is verified until now + the lease the hub grants, and
    the challenge is echoed. ``denied``: recorded with the hub's reason. ``unsubscribe``: never ours.
    """
    with store.transaction() as tx:
        row = _row(tx.connection.execute(_BY_TOKEN, {"token": token}).first())
        mode = params.get("hub.mode", "")
        if row is None or params.get("hub.topic") != row.topic:
            return None
        if mode == "denied":
            reason = _one_line(params.get("hub.reason") or "no reason given")
            tx.connection.execute(_SET_STATE, {"token": token, "state": "denied", "expires_at": None,
                                               "detail": f"the hub denied the subscription: {reason}"})
            return ""
        challenge = params.get("hub.challenge")
        if mode != "subscribe" or not challenge:
            return None
        seconds = params.get("hub.lease_seconds", "")
        granted = int(seconds) if seconds.isdigit() else LEASE_SECONDS
        expires = timestamp_text(now + timedelta(seconds=min(granted, 10 * LEASE_SECONDS)))
        tx.connection.execute(_SET_STATE, {"token": token, "state": "verified", "expires_at": expires, "detail": None})
        return challenge


def pinged_source(store: EventStore, token: str, body: bytes, signature: str | None) -> tuple[str | None, str]:
    """Which source a content ping is for, if its signature holds, and a few words on the verdict.

    (None, "unknown callback") for a token no subscription has; (None, "...signature...") for a ping
    whose X-Hub-Signature is missing or wrong: it is acknowledged and ignored, as the spec asks.
    """
    with store.reading() as conn:
        row = _row(conn.execute(_BY_TOKEN, {"token": token}).first())
    if row is None:
        return None, "unknown callback"
    if not signature:
        return None, "no X-Hub-Signature: ignored"
    if not signature_matches(row.secret, body, signature):
        return None, "X-Hub-Signature does not match: ignored"
    return row.source, "signature verified"


def _request(
    store: EventStore, source: str, spec: SourceSpec, current: Subscription | None, callback_base: str,
    client: httpx.Client, now: datetime, timeout: float, max_bytes: int,
) -> str:
    try:
        topic = discover(fetch(spec.url, timeout=timeout, max_bytes=max_bytes, client=client))
    except FetchError as error:
        return _failed(store, source, current, now, f"the feed could not be read to find its hub: {error.reason}")
    if topic is None:
        return _failed(store, source, current, now, "the feed names no WebSub hub (no <link rel=\"hub\">)")
    same = current is not None and (current.hub, current.topic) == (topic.hub, topic.topic)
    # A renewal keeps its callback and secret: pings already on their way still verify.
    token = current.token if same and current else secrets.token_urlsafe(24)
    secret = current.secret if same and current else secrets.token_hex(32)
    row = {"source": source, "token": token, "hub": topic.hub, "topic": topic.topic, "secret": secret,
           "state": "requested", "requested_at": timestamp_text(now),
           "expires_at": current.expires_at if same and current else None, "detail": None}
    with store.transaction() as tx:  # before the request: a hub may verify before it answers
        tx.connection.execute(_UPSERT, row)
    callback = f"{callback_base.rstrip('/')}/websub/{token}"
    try:
        subscribe(client, topic, callback=callback, secret=secret, timeout=timeout)
    except SubscribeError as error:
        return _failed(store, source, subscription_of(store, source), now, error.reason)
    return f"subscription requested from {topic.hub}"


def _failed(store: EventStore, source: str, current: Subscription | None, now: datetime, detail: str) -> str:
    row = {"source": source, "token": current.token if current else secrets.token_urlsafe(24),
           "hub": current.hub if current else "", "topic": current.topic if current else "",
           "secret": current.secret if current else secrets.token_hex(32), "state": "failed",
           "requested_at": timestamp_text(now), "expires_at": None, "detail": detail}
    with store.transaction() as tx:
        tx.connection.execute(_UPSERT, row)
    return detail


def _due(current: Subscription | None, now: datetime) -> bool:
    if current is None:
        return True
    stamp = timestamp_text
    if current.state == "verified" and current.expires_at:
        # The lease the hub granted runs from about when it was requested.
        granted = datetime.fromisoformat(current.expires_at) - datetime.fromisoformat(current.requested_at)
        renew_before = min(granted * RENEW_SHARE, timedelta(days=1))
        return current.expires_at <= stamp(now + renew_before)
    if current.state == "requested":
        return current.requested_at <= stamp(now - UNVERIFIED_AFTER)
    return current.requested_at <= stamp(now - RETRY)


def _row(found: object) -> Subscription | None:
    if found is None:
        return None
    return Subscription(*found)  # type: ignore[misc]


def _one_line(value: str) -> str:
    line = _CONTROL.sub(" ", value).strip()
    return line if len(line) <= _DETAIL_CHARS else line[: _DETAIL_CHARS - 3] + "..."

