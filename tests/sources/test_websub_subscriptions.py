"""Keeping a source subscribed to its hub, on SQLite and PostgreSQL: discovery, refusal, verification,
pings, renewal with the same callback and secret, and retries that wait their turn.

The daemon's HTTP side is ``tests/daemon/test_websub.py``; here the callback's answers are called
directly, as the web route calls them.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from service.pipeline.wiring import open_pipeline_store
from service.rules.models import SourceSpec
from service.sources.websub_subscriptions import (
    RETRY,
    answer_intent,
    keep_subscribed,
    pinged_source,
    subscription_of,
)
from service.store.recorder import EventStore
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CALLBACK = "http://127.0.0.1:9/vigil"  # nothing listens: the hub's own verification GET goes nowhere


@pytest.fixture
def pipeline_store(db_url: str) -> Iterator[EventStore]:
    """A store with every migration, on each backend."""
    opened = open_pipeline_store(db_url)
    yield opened
    opened.engine.dispose()


def _feed(hub: str | None) -> str:
    document = rss_xml([FixtureItem("Talks resume", guid="a1")])
    if hub is None:
        return document
    return document.replace("<channel>", f'<channel><link rel="hub" href="{hub}"/>', 1)


def _http(receiver: JsonReceiver) -> str:
    """The receiver's address as a hub's URL (its ``url`` is an apprise json:// one)."""
    return f"http://127.0.0.1:{receiver.port}/hub"


def _keep(store: EventStore, url: str, client: httpx.Client, now: datetime) -> str | None:
    spec = SourceSpec(url=url, websub=True)
    return keep_subscribed(store, "wire", spec, callback_base=CALLBACK, client=client, owner="test", now=now,
                           timeout=5.0)


def test_a_subscription_is_requested_verified_pinged_and_renewed_with_the_same_secret(
    pipeline_store: EventStore,
) -> None:
    with FeedServer() as feeds, JsonReceiver() as hub, httpx.Client() as client:
        feeds.set_feed("/wire.xml", _feed(_http(hub)))
        url = feeds.url("/wire.xml")

        assert _keep(pipeline_store, url, client, NOW) == f"subscription requested from {_http(hub)}"
        request = dict(httpx.QueryParams(hub.requests()[-1].body.decode()))
        assert request["hub.mode"] == "subscribe" and request["hub.topic"] == url
        row = subscription_of(pipeline_store, "wire")
        assert row is not None and row.state == "requested"
        assert request["hub.callback"] == f"{CALLBACK}/websub/{row.token}" and request["hub.secret"] == row.secret
        assert row.secret not in repr(row)

        # The hub's verification: only for our token and topic, and the challenge comes back.
        intent = {"hub.mode": "subscribe", "hub.topic": url, "hub.challenge": "c-42", "hub.lease_seconds": "7200"}
        assert answer_intent(pipeline_store, "other-token", intent, NOW) is None
        assert answer_intent(pipeline_store, row.token, {**intent, "hub.topic": "http://x.test/"}, NOW) is None
        assert answer_intent(pipeline_store, row.token, intent, NOW) == "c-42"
        verified = subscription_of(pipeline_store, "wire")
        assert verified is not None and verified.state == "verified"
        assert verified.expires_at is not None and verified.expires_at.startswith("2026-12-03T11:00:00")

        # Pings: signed with the secret, or not.
        body = b"<rss>new</rss>"
        good = "sha1=" + hmac.new(row.secret.encode(), body, hashlib.sha1).hexdigest()
        assert pinged_source(pipeline_store, row.token, body, good) == ("wire", "signature verified")
        assert pinged_source(pipeline_store, row.token, body + b" ", good)[0] is None
        assert pinged_source(pipeline_store, row.token, body, None)[0] is None
        assert pinged_source(pipeline_store, "other-token", body, good) == (None, "unknown callback")

        # Nothing is due while the lease lasts; near its end the subscription is renewed, same callback
        # and secret, so pings already on their way still verify.
        assert _keep(pipeline_store, url, client, NOW + timedelta(minutes=30)) is None
        assert _keep(pipeline_store, url, client, NOW + timedelta(hours=1, minutes=50)) is not None
        renewed = subscription_of(pipeline_store, "wire")
        assert renewed is not None and (renewed.token, renewed.secret) == (row.token, row.secret)
        assert len(hub.requests()) == 2


def test_a_feed_without_a_hub_or_a_refusing_hub_is_retried_only_after_a_while(pipeline_store: EventStore) -> None:
    with FeedServer() as feeds, JsonReceiver(fail_times=1, fail_status=403) as hub, httpx.Client() as client:
        feeds.set_feed("/wire.xml", _feed(None))
        url = feeds.url("/wire.xml")
        assert _keep(pipeline_store, url, client, NOW) == 'the feed names no WebSub hub (no <link rel="hub">)'
        assert _keep(pipeline_store, url, client, NOW + timedelta(minutes=5)) is None
        assert feeds.request_count("/wire.xml") == 1

        feeds.set_feed("/wire.xml", _feed(_http(hub)))
        later = NOW + RETRY
        assert _keep(pipeline_store, url, client, later) == "hub refused the subscription: HTTP 403"
        failed = subscription_of(pipeline_store, "wire")
        assert failed is not None and failed.state == "failed"
        assert _keep(pipeline_store, url, client, later + RETRY) == f"subscription requested from {_http(hub)}"


def test_a_hub_that_denies_the_subscription_is_recorded_with_its_reason(pipeline_store: EventStore) -> None:
    with FeedServer() as feeds, JsonReceiver() as hub, httpx.Client() as client:
        feeds.set_feed("/wire.xml", _feed(_http(hub)))
        url = feeds.url("/wire.xml")
        _keep(pipeline_store, url, client, NOW)
        row = subscription_of(pipeline_store, "wire")
        assert row is not None
        denied = {"hub.mode": "denied", "hub.topic": url, "hub.reason": "topic not\nallowed"}
        assert answer_intent(pipeline_store, row.token, denied, NOW) == ""
        after = subscription_of(pipeline_store, "wire")
        assert after is not None and after.state == "denied"
        assert after.detail == "the hub denied the subscription: topic not allowed"
