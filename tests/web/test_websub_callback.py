"""The WebSub callback routes in process: which pings wake the daemon, and which tell the hub to go away."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import LoadedRules, load_rules
from service.sources.websub_subscriptions import keep_subscribed, subscription_of
from service.web.app import create_app
from service.web.context import WebContext
from tests.support.feedserver import FeedServer, FixtureItem, rss_xml
from tests.support.receivers import JsonReceiver


def _rules(tmp_path: Path, url: str, websub: bool) -> LoadedRules:
    path = tmp_path / "rules.yaml"
    path.write_text(f'sources:\n  wire: {{url: "{url}", websub: {str(websub).lower()}}}\n')
    return load_rules([path], env={})


def test_only_a_signed_ping_for_a_source_that_still_wants_pings_wakes_the_daemon(
    tmp_path: Path, sqlite_url: str
) -> None:
    store = open_pipeline_store(sqlite_url)
    with FeedServer() as feeds, JsonReceiver() as hub, httpx.Client() as client:
        hub_url = f"http://127.0.0.1:{hub.port}/hub"
        feeds.set_feed("/wire.xml", rss_xml([FixtureItem("Talks", guid="a")]).replace(
            "<channel>", f'<channel><link rel="hub" href="{hub_url}"/>', 1))
        feed_url = feeds.url("/wire.xml")
        loaded = _rules(tmp_path, feed_url, websub=True)
        keep_subscribed(store, "wire", loaded.rules.sources["wire"], callback_base="http://vigil.test",
                        client=client, owner="test", now=datetime.now(UTC))
    row = subscription_of(store, "wire")
    assert row is not None
    current = {"rules": loaded}
    woken: list[str] = []
    context = WebContext(store, rules=lambda: current["rules"], started_at=datetime.now(UTC),
                         push_received=woken.append)
    body = b"<rss>new</rss>"
    signed = {"X-Hub-Signature": "sha256=" + hmac.new(row.secret.encode(), body, hashlib.sha256).hexdigest()}
    try:
        with TestClient(create_app(context)) as web:
            path = f"/websub/{row.token}"
            assert web.post(path, content=body, headers={"X-Hub-Signature": "sha256=00"}).status_code == 202
            assert web.post(path, content=body).status_code == 202
            assert woken == []
            assert web.post(path, content=body, headers=signed).status_code == 202
            assert woken == ["wire"]

            # The rules reloaded without websub for the source: the hub is told the callback is gone.
            current["rules"] = _rules(tmp_path, feed_url, websub=False)
            assert web.post(path, content=body, headers=signed).status_code == 410
            assert woken == ["wire"]
    finally:
        store.engine.dispose()
