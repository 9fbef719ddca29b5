"""The HTTP service of a running daemon, over real HTTP on loopback, after a real pipeline run.

One daemon (SQLite) is shared by the module: two feeds publish two developments, the receiver fails the
first delivery once, and the tests then read what a user, a feed reader and Prometheus would see.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.delivery.subscriptions import list_subscribers, sendable_urls
from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from service.store.head import parse_heads
from tests.pipeline.harness import STEPS, Timeline, vigil_env, write_rules
from tests.support.receivers import JsonReceiver, poll
from tests.web.served import ServedDaemon, start_served, vigil_command

API_TOKEN = "test-token-0123456789abcdef"
HOOK_PASSWORD = "S3cretHookPassw0rd"
FEED_PASSWORD = "FeedPassw0rd-private"
#: An item title with markup characters: entry titles and rule text must come out escaped.
TRICKY_TITLE = 'Prisoner <exchange> & "swap"'
DEADLINE = 60.0


@dataclass
class Scene:
    """The module's daemon and what it was given."""

    daemon: ServedDaemon
    hook: JsonReceiver
    db: str
    secrets: list[str]
    digest_hook: JsonReceiver
    digest_file: Path


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    tmp = tmp_path_factory.mktemp("web")
    db = str(tmp / "vigil.db")
    digest_file = tmp / "digests.txt"
    with FeedServer() as feeds, JsonReceiver(fail_times=1) as hook, JsonReceiver() as digest_hook:
        hook_url = f"json://alerts:{HOOK_PASSWORD}@127.0.0.1:{hook.port}/hook"
        rules = write_rules(tmp, feeds, hook_url)
        text = rules.read_text().replace("title: Prisoner exchange", f"title: '{TRICKY_TITLE}'")
        # A private feed: its URL carries a password (sent as Basic auth; the test server ignores it).
        text = text.replace(feeds.url("wire"), feeds.url("wire").replace("http://", f"http://reader:{FEED_PASSWORD}@"))
        rules.write_text(text)
        timeline = Timeline(feeds)
        timeline.add(STEPS[0] + STEPS[1])
        daemon = start_served(
            vigil_command(rules, "--retry-base", "0.2s"),
            tmp / "daemon.log",
            vigil_env(db, VIGIL_API_TOKEN=API_TOKEN, VIGIL_HEAD_FILE=str(digest_file),
                      VIGIL_HEAD_NOTIFY=digest_hook.url("/head")),
        )
        scene = Scene(daemon, hook, db, [HOOK_PASSWORD, FEED_PASSWORD, API_TOKEN], digest_hook, digest_file)
        try:
            # Two alerts delivered, one of them on the second attempt.
            poll(lambda: [_delivered(daemon)], lambda n: n == 2, DEADLINE, "two delivered alerts")
            yield scene
        finally:
            assert daemon.stop() == 0
    _assert_no_secret(daemon.log_text(), scene.secrets)


def _delivered(daemon: ServedDaemon) -> int:
    return sum(1 for alert in daemon.get("/api/alerts").json() if alert["status"] == "delivered")


def _assert_no_secret(text: str, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in text


def test_the_daemon_publishes_the_head_of_its_log_where_verify_reads_it(scene: Scene) -> None:
    # At start, and every VIGIL_HEAD_EVERY: in its log, a file and an apprise target.
    sent = poll(lambda: scene.digest_hook.requests(), lambda _r: True, DEADLINE, "a head notification")
    published = poll(lambda: parse_heads(scene.daemon.log_text()), lambda _d: True, DEADLINE, "a head logged")
    assert parse_heads(scene.digest_file.read_text())[0] == published
    assert parse_heads(sent.text)[0] == published
    api = scene.daemon.get("/api/head").json()
    assert api["position"] >= published.position
    for source in (str(scene.daemon.log), str(scene.digest_file), api["head"]):
        result = subprocess.run(
            [sys.executable, "-m", "service.cli", "verify", "--no-projections", "--head", source],
            capture_output=True, text=True, env=vigil_env(scene.db), timeout=60,
        )
        assert result.returncode == 0 and "extends" in result.stdout, result.stderr


def test_probes_answer_ok(scene: Scene) -> None:
    assert scene.daemon.get("/healthz").json() == {"status": "ok"}
    ready = scene.daemon.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


def test_items_show_each_state_with_its_evidence(scene: Scene) -> None:
    items = {item["item"]: item for item in scene.daemon.get("/api/items").json()}
    assert items["exchange"]["value"] == "agreed"
    assert items["exchange"]["title"] == TRICKY_TITLE
    assert items["exchange"]["link"] == "https://news.test/w1"
    assert items["exchange-date"]["value"] == "2025-06-09"
    assert "will take place on Monday" in items["exchange-date"]["sentence"]
    one = scene.daemon.get("/api/items/exchange-date").json()
    assert one == items["exchange-date"]


def test_timeline_lists_changes_with_evidence_and_alerts(scene: Scene) -> None:
    body = scene.daemon.get("/api/items/exchange/timeline").json()
    assert body["item"] == "exchange"
    [change] = body["changes"]
    assert (change["from_value"], change["to_value"]) == ("none", "agreed")
    assert change["links"] == ["https://news.test/w1"]
    assert [alert["status"] for alert in change["alerts"]] == ["delivered"]
    assert scene.daemon.get("/api/items/exchange/timeline", params={"until": "2025-06-01"}).json()["changes"] == []


def test_unknown_item_is_a_json_404(scene: Scene) -> None:
    for path in ("/api/items/nothing", "/api/items/nothing/timeline"):
        response = scene.daemon.get(path)
        assert response.status_code == 404
        assert "unknown item 'nothing'" in response.json()["detail"]


def test_alerts_show_delivery_status_with_targets_redacted(scene: Scene) -> None:
    alerts = scene.daemon.get("/api/alerts").json()
    assert len(alerts) == 2
    attempts = sorted(alert["deliveries"][0]["attempts"] for alert in alerts)
    assert attempts == [1, 2]  # the receiver failed the first delivery once
    for alert in alerts:
        [delivery] = alert["deliveries"]
        assert delivery["status"] == "delivered"
        assert delivery["target"].startswith("json://alerts:***@127.0.0.1")
    assert scene.daemon.get("/api/alerts", params={"failed": "true"}).json() == []


def test_sources_show_health(scene: Scene) -> None:
    sources = {source["source"]: source for source in scene.daemon.get("/api/sources").json()}
    assert set(sources) == {"wire", "courier"}
    assert sources["wire"]["url"].startswith("http://reader:***@127.0.0.1:")
    for source in sources.values():
        assert source["health"] == "ok"
        assert source["entries_seen"] == 1
        assert source["last_error"] is None


def test_openapi_document_lists_the_api(scene: Scene) -> None:
    document = scene.daemon.get("/openapi.json").json()
    paths = document["paths"]
    assert {"ItemReport", "TimelineRow", "AlertView", "SourceView", "SubscriberIn"} <= set(
        document["components"]["schemas"]
    )
    for path in ("/api/items", "/api/items/{item}/timeline", "/api/alerts", "/api/sources", "/api/subscribers"):
        assert path in paths


def test_metrics_count_what_the_pipeline_did(scene: Scene) -> None:
    response = scene.daemon.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    assert samples[("vigil_database_up", ())] == 1
    for source in ("wire", "courier"):
        assert samples[("vigil_polls_total", (("source", source),))] >= 1
        assert samples[("vigil_poll_failures_total", (("source", source),))] == 0
        assert samples[("vigil_entries_observed_total", (("source", source),))] == 1
    assert samples[("vigil_state_changes_total", (("item", "exchange"),))] == 1
    assert samples[("vigil_state_changes_total", (("item", "exchange-date"),))] == 1
    assert samples[("vigil_evidence_found_total", (("item", "exchange-date"),))] == 2  # unset, then set
    assert samples[("vigil_alerts_raised_total", ())] == 2
    assert samples[("vigil_deliveries_total", (("outcome", "ok"),))] == 2
    assert samples[("vigil_deliveries_total", (("outcome", "failed"),))] == 1
    assert samples[("vigil_deliveries_total", (("outcome", "abandoned"),))] == 0
    assert samples[("vigil_alerts", (("status", "delivered"),))] == 2
    for consumer in ("items", "alerting"):
        assert samples[("vigil_processing_lag_events", (("consumer", consumer),))] == 0
        assert samples[("vigil_processing_lag_seconds", (("consumer", consumer),))] == 0
    # Counted from the log, so a second scrape (counting only what is new) agrees with the first.
    again = scene.daemon.get("/metrics").text
    assert "vigil_alerts_raised_total 2.0" in again


def test_atom_feed_is_valid_and_escaped(scene: Scene) -> None:
    response = scene.daemon.get("/alerts.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert response.headers["x-content-type-options"] == "nosniff"  # no browser may sniff it into HTML
    assert 'Prisoner &lt;exchange&gt; &amp; "swap"' in response.text
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert len(feed.entries) == 2
    api_ids = {alert["alert_id"] for alert in scene.daemon.get("/api/alerts").json()}
    assert {entry.id.removeprefix("urn:vigil:alert:") for entry in feed.entries} == api_ids
    by_link = {entry.link: entry for entry in feed.entries}
    assert set(by_link) == {"https://news.test/w1", "https://news.test/c1"}
    assert by_link["https://news.test/w1"].title.startswith(TRICKY_TITLE)
    assert "will take place on Monday" in by_link["https://news.test/c1"].summary


def _subscribe(scene: Scene, token: str | None, body: object) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = scene.daemon.request("POST", "/api/subscribers", json=body, headers=headers)
    return response.status_code, response.json()


def test_subscribing_needs_the_right_token(scene: Scene) -> None:
    secret_url = f"json://bob:{HOOK_PASSWORD}@127.0.0.1:9/bob"
    body = {"name": "bob", "urls": [secret_url], "items": ["exchange"], "min_severity": "warning"}
    assert _subscribe(scene, None, body)[0] == 401
    assert _subscribe(scene, "not-the-token-at-all", body)[0] == 403
    status, created = _subscribe(scene, API_TOKEN, body)
    assert status == 201
    assert created["urls"] == ["json://bob:***@127.0.0.1:9/bob"] and created["origin"] == "api"
    # Recorded as `vigil subscribe add` records it: `vigil subscribe list` reads this projection.
    store = open_store(scene.db)
    try:
        [bob] = [s for s in list_subscribers(store) if s.name == "bob"]
        unsealed = sendable_urls(store, bob)
    finally:
        store.close()
    # The URL holds a password: the log has a sealed reference, the secret lives outside it.
    assert bob.urls[0].startswith("${VIGIL_SECRET_") and unsealed == [secret_url]
    assert (bob.shown, bob.items, bob.min_severity, bob.origin) == (
        ["json://bob:***@127.0.0.1:9/bob"], ["exchange"], "warning", "api"
    )
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    shown = {s["name"]: s for s in scene.daemon.get("/api/subscribers", headers=auth).json()}
    assert shown["bob"]["urls"] == ["json://bob:***@127.0.0.1:9/bob"]
    assert scene.daemon.request("DELETE", "/api/subscribers/bob").status_code == 401
    assert (
        scene.daemon.request("DELETE", "/api/subscribers/bob", headers={"Authorization": "Bearer x"}).status_code == 403
    )
    assert scene.daemon.request("DELETE", "/api/subscribers/bob", headers=auth).status_code == 204
    missing = scene.daemon.request("DELETE", "/api/subscribers/bob", headers=auth)
    assert missing.status_code == 404
    assert "no subscriber named 'bob'" in missing.json()["detail"]
    store = open_store(scene.db)
    try:
        types = [event.type for event in store.read_stream("config") if event.data.get("name") == "bob"]
    finally:
        store.close()
    assert types == ["SubscriberAdded", "SubscriberRemoved"]


def test_rejected_subscribers_never_echo_their_urls(scene: Scene) -> None:
    secret = f"nosuchscheme://bob:{HOOK_PASSWORD}@example.org/"
    for body in (
        {"name": "bad", "urls": [secret]},  # refused by apprise's check: message shows the URL redacted
        {"name": "bad", "urls": secret},  # not a list: refused by validation, which must not echo the input
        {"name": "bad", "urls": [secret], "items": ["no-such-item"]},
    ):
        status, answer = _subscribe(scene, API_TOKEN, body)
        assert status == 422
        assert HOOK_PASSWORD not in json.dumps(answer)


def test_a_subscriber_holding_a_nul_character_is_refused_and_not_recorded(scene: Scene) -> None:
    # The log could not move to PostgreSQL (nor be written there at all) with one in it.
    url = f"json://bob:{HOOK_PASSWORD}@127.0.0.1:9/bob"
    for body in ({"name": "nul\x00", "urls": [url]}, {"name": "nul", "urls": [url], "tags": ["war\x00"]}):
        status, answer = _subscribe(scene, API_TOKEN, body)
        assert status == 422
        assert "U+0000" in str(answer["detail"])
        assert HOOK_PASSWORD not in json.dumps(answer)
    shown = scene.daemon.get("/api/subscribers", headers={"Authorization": f"Bearer {API_TOKEN}"}).json()
    assert not [s for s in shown if s["name"].startswith("nul")]


def _raw_post(scene: Scene, headers: dict[str, str], chunks: list[bytes]) -> int:
    """POST with exactly these headers and body chunks, then read the status, whatever the server did."""
    host, port = scene.daemon.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("POST", "/api/subscribers")
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:
        for chunk in chunks:
            connection.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before reading everything: what is tested
    try:
        return connection.getresponse().status
    finally:
        connection.close()


def test_bodies_over_one_megabyte_are_refused(scene: Scene) -> None:
    auth = {"Authorization": f"Bearer {API_TOKEN}", "Content-Type": "application/json"}
    # Declared too long: refused before a byte of the body is read (none is sent).
    assert _raw_post(scene, {**auth, "Content-Length": "2000000"}, []) == 413
    # Streamed without a length: refused once more than 1 MB has arrived.
    piece = b" " * 65536
    chunks = [b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(17)] + [b"0\r\n\r\n"]
    assert _raw_post(scene, {**auth, "Transfer-Encoding": "chunked"}, chunks) == 413
    # Just under the limit is read (and then judged on its content).
    small = json.dumps({"name": "roomy", "urls": ["json://127.0.0.1:9/x"], "tags": ["x" * 900_000]})
    assert scene.daemon.request("POST", "/api/subscribers", content=small, headers=auth).status_code == 201


def test_no_secret_in_any_response(scene: Scene) -> None:
    pages = ["/healthz", "/readyz", "/metrics", "/alerts.atom", "/openapi.json", "/api/items", "/api/alerts"]
    pages += ["/api/sources", "/api/items/exchange/timeline", "/"]
    for page in pages:
        _assert_no_secret(scene.daemon.get(page).text, scene.secrets)
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    _assert_no_secret(scene.daemon.get("/api/subscribers", headers=auth).text, scene.secrets)
