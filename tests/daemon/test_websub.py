"""WebSub end to end: a ``websub: true`` source subscribes to its feed's hub through the daemon's HTTP
server, a signed ping polls it at once (the source is otherwise polled hourly), a forged ping is
ignored, the subscription secret never reaches the log, and without a callback URL the daemon says so
and polls on schedule.

A real ``vigil run --http`` process, the feed on the test's feed server, a small hub on loopback
(``tests/support/websub_hub.py``) and a json:// receiver.
"""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import load_rules
from service.sources.health import source_health
from service.sources.websub import signature_matches
from tests.pipeline.harness import daemon_command, vigil_env
from tests.sources.texts import EXCHANGE_RULES
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver, free_port, poll
from tests.support.websub_hub import WebSubHub
from tests.web.served import ServedDaemon, start_served

DEADLINE = 60.0
SIGNED_SHA1 = "sha1=" + hmac.new(b"s3cret", b"<feed/>", "sha1").hexdigest()
RULES = """\
sources:
  wire: {{url: "{feed}", every: 1h, websub: true}}
""" + EXCHANGE_RULES
TALKS = FixtureItem("Talks resume in Istanbul", "Delegations of Ukraine and Russia met again.", guid="w1",
                    link="https://wire.example/w1")
AGREED = FixtureItem("Exchange agreed", "Ukraine and Russia agreed to a new prisoner exchange, Kyiv and Moscow said.",
                     guid="w2", link="https://wire.example/w2")


def feed_with_hub(items: list[FixtureItem], hub: str, self_url: str) -> str:
    """An RSS feed naming ``hub`` and its own URL with ``<atom:link>``, as WordPress and Blogger feeds do."""
    document = rss_xml(items).replace('<rss version="2.0">',
                                      '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
    links = f'<atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{self_url}"/>'
    return document.replace("<channel>", "<channel>" + links, 1)


def _start(tmp_path: Path, feeds: FeedServer, hub: WebSubHub, receiver: JsonReceiver, items: list[FixtureItem],
           *, public: bool) -> tuple[str, ServedDaemon]:
    """Serve the feed with ``items`` and start ``vigil run --http`` on it (with VIGIL_PUBLIC_URL if
    ``public``); return the feed's URL (its topic) and the ready daemon."""
    topic = feeds.url("/wire.xml")
    feeds.set_feed("/wire.xml", feed_with_hub(items, hub.url, topic))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.format(feed=topic, hook=receiver.url("/hook")))
    port = free_port()  # the public URL must be known before the daemon starts
    env = {"VIGIL_PUBLIC_URL": f"http://127.0.0.1:{port}"} if public else {}
    command = daemon_command(rules, "--http", f"127.0.0.1:{port}")
    return topic, start_served(command, tmp_path / "daemon.log", vigil_env(str(tmp_path / "vigil.db"), **env))


def test_a_signed_ping_from_the_hub_polls_the_feed_at_once(tmp_path: Path) -> None:
    with FeedServer() as feeds, WebSubHub() as hub, JsonReceiver() as receiver:
        topic, daemon = _start(tmp_path, feeds, hub, receiver, [TALKS], public=True)
        try:
            subscription = hub.wait_verified(topic, DEADLINE)
            assert subscription.callback.startswith(f"{daemon.base_url}/websub/")
            assert len(subscription.secret) >= 32

            # The callback refuses what it never asked for: another topic, an unknown token.
            wrong = daemon.get(subscription.callback.removeprefix(daemon.base_url),
                               params={"hub.mode": "subscribe", "hub.topic": "http://elsewhere.test/feed",
                                       "hub.challenge": "x"})
            assert wrong.status_code == 404
            assert daemon.request("POST", "/websub/not-a-token", content=b"<rss/>").status_code == 410

            # The start's scheduled poll has read the feed as it was; the next is an hour away.
            poll(lambda: [daemon.log_text()], lambda text: "polled wire" in text, DEADLINE, "first poll in the log")
            updated = feed_with_hub([AGREED, TALKS], hub.url, topic).encode()
            feeds.set_feed("/wire.xml", updated)
            # A forged ping (signed with another secret) is acknowledged and ignored: no poll.
            assert hub.publish(topic, updated, secret="forged") == [202]
            poll(lambda: [daemon.log_text()], lambda text: "X-Hub-Signature does not match" in text, DEADLINE,
                 "ignored ping in the log")
            polls_before = feeds.request_count("/wire.xml")
            assert receiver.requests() == []

            # The hub's real ping: the feed is polled now, not in an hour, and the alert goes out.
            assert hub.publish(topic, updated) == [202]
            alert = poll(receiver.requests, lambda _: True, DEADLINE, "alert after the ping")
            assert "agreed" in alert.json()["title"]
            assert feeds.request_count("/wire.xml") == polls_before + 1
        finally:
            assert daemon.stop() == 0
        log = daemon.log_text()

    store = open_pipeline_store(str(tmp_path / "vigil.db"))
    try:
        recorded = " ".join(f"{e.data} {e.metadata}" for e in store.read_all())
        shown = source_health(store, load_rules([tmp_path / "rules.yaml"], env={}).rules)[0]
    finally:
        store.engine.dispose()
    assert subscription.secret not in recorded and subscription.secret not in log
    token = subscription.callback.rsplit("/", 1)[1]
    assert token not in log and "/websub/…" in log  # the access log leaves the callback's token out
    assert "ping for wire, polling it now" in log
    # `vigil sources` and the dashboard show where the subscription stands, never its secret.
    assert shown.push is not None and shown.push.startswith("verified until ") and hub.url in shown.push


def test_without_a_callback_url_the_daemon_says_so_and_polls_on_schedule(tmp_path: Path) -> None:
    with FeedServer() as feeds, WebSubHub() as hub, JsonReceiver() as receiver:
        _, daemon = _start(tmp_path, feeds, hub, receiver, [AGREED], public=False)
        try:
            poll(receiver.requests, lambda _: True, DEADLINE, "alert from the scheduled poll")
            assert "wire ask for pings, but VIGIL_PUBLIC_URL (or VIGIL_WEBSUB_CALLBACK) is not set" in daemon.log_text()
        finally:
            assert daemon.stop() == 0
        assert hub.subscriptions() == []


@pytest.mark.parametrize(
    "header", [None, "", "sha256=", "md5=" + SIGNED_SHA1[5:], "sha256=" + "0" * 64, SIGNED_SHA1 + "0"]
)
def test_a_signature_the_secret_did_not_make_is_refused(header: str | None) -> None:
    assert not signature_matches("s3cret", b"<feed/>", header)
    assert signature_matches("s3cret", b"<feed/>", SIGNED_SHA1)
    assert signature_matches("s3cret", b"<feed/>", "SHA256=" + hmac.new(b"s3cret", b"<feed/>", "sha256").hexdigest())
