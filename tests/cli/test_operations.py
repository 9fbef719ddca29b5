"""The operational commands as a user runs them: subscribers, failed deliveries and retries, sources, state."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from service.demo.feeds import FeedServer
from tests.pipeline.harness import STEPS, Timeline, run_once, write_rules
from tests.support.receivers import JsonReceiver, MqttSubscriber, SmtpReceiver, free_port

ROOT = Path(__file__).resolve().parents[2]


def vigil(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    env["VIGIL_DB"] = db
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_subscribers_are_added_listed_redacted_tested_and_removed_as_events(db_url: str) -> None:
    # Only run, db upgrade, import and demo create a store; subscribing names an existing one.
    assert vigil(db_url, "db", "upgrade").returncode == 0
    with JsonReceiver() as hook:
        url = f"json://vigil:s3cretpass@127.0.0.1:{hook.port}/hook?+X-Token=abc123token"
        added = vigil(db_url, "subscribe", "add", "families", url, "--items", "exchange-date")
        assert added.returncode == 0, added.stderr
        listed = vigil(db_url, "subscribe", "list")
        assert "families (cli)" in listed.stdout and "items=exchange-date" in listed.stdout
        tested = vigil(db_url, "subscribe", "test", "families")
        assert tested.returncode == 0 and ": ok" in tested.stdout
        assert "Vigil test message" in hook.requests()[-1].text
        for output in (added, listed, tested):
            assert "s3cretpass" not in output.stdout + output.stderr
            assert "abc123token" not in output.stdout + output.stderr

    config_before = vigil(db_url, "events", "--stream", "config").stdout
    invalid = vigil(db_url, "subscribe", "add", "broken", "notascheme://x")
    assert invalid.returncode == 1 and len(invalid.stderr.strip().splitlines()) == 1
    assert vigil(db_url, "events", "--stream", "config").stdout == config_before

    assert vigil(db_url, "subscribe", "remove", "families").returncode == 0
    assert "no subscribers" in vigil(db_url, "subscribe", "list").stdout
    gone = vigil(db_url, "subscribe", "remove", "families")
    assert gone.returncode == 1 and "no subscriber named" in gone.stderr
    types = [
        json.loads(line)["type"] for line in vigil(db_url, "events", "--stream", "config", "--json").stdout.splitlines()
    ]
    assert types == ["SubscriberAdded", "SubscriberRemoved"]


def test_a_cli_subscriber_hears_rules_without_notify_for_its_items_only(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as rule_hook, JsonReceiver() as cli_hook:
        rules = write_rules(tmp_path, feeds, rule_hook.url("/hook"))
        rules.write_text(rules.read_text().replace("    notify: [ops]\n", ""))
        assert vigil(sqlite_url, "db", "upgrade").returncode == 0
        assert (
            vigil(
                sqlite_url, "subscribe", "add", "dates", cli_hook.url("/dates"), "--items", "exchange-date"
            ).returncode
            == 0
        )
        timeline = Timeline(feeds)
        for step in STEPS:
            timeline.add(step)
            assert run_once(sqlite_url, rules).returncode == 0
        cli_titles = [r.json()["title"] for r in cli_hook.requests()]
        assert cli_titles == ["Date of the exchange: announced 9 June 2025"]
        assert len(rule_hook.requests()) == 3  # the rule file's own subscriber hears every alert


def test_abandoned_deliveries_are_listed_and_resent_with_deliver_retry(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver(fail_times=100) as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        Timeline(feeds).add(STEPS[0])
        run = run_once(sqlite_url, rules, "--retry-base", "0s", "--max-attempts", "2")
        assert run.returncode == 0, run.stderr
        failed = vigil(sqlite_url, "alerts", "--failed")
        assert "abandoned" in failed.stdout and "after 2 attempt(s)" in failed.stdout
        alert_id = failed.stdout.split()[0]

        hook.fail_next(0)
        retried = vigil(sqlite_url, "deliver", "--retry", alert_id)
        assert retried.returncode == 0, retried.stderr
        assert f"alert {alert_id}: delivered" in retried.stdout
        assert [r.status for r in hook.requests()] == [500, 500, 200]
        assert "no failed alerts" in vigil(sqlite_url, "alerts", "--failed").stdout
        unknown = vigil(sqlite_url, "deliver", "--retry", "al-unknown")
        assert unknown.returncode == 1 and "no alert with id" in unknown.stderr


def test_sources_show_successes_and_errors(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        closed = f"http://127.0.0.1:{free_port()}/feed.xml"
        rules.write_text(rules.read_text().replace("items:\n", f'  gone: {{url: "{closed}", every: 5m}}\nitems:\n', 1))
        Timeline(feeds).add(STEPS[0])
        assert run_once(sqlite_url, rules).returncode == 0
        shown = vigil(sqlite_url, "sources", "--rules", str(rules)).stdout
    wire = shown.split("wire ")[1]
    assert "entries seen: 1" in wire and "last success: 20" in wire
    assert "last error:" in shown.split("gone ")[1] and "connection refused" in shown


def test_state_and_timeline_show_the_evidence(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path, feeds, hook.url("/hook"))
        Timeline(feeds).add(STEPS[0])
        assert run_once(sqlite_url, rules).returncode == 0
    state = vigil(sqlite_url, "state", "--rules", str(rules))
    assert "exchange: agreed" in state.stdout and "agreed to a new prisoner exchange" in state.stdout
    records = [
        json.loads(line) for line in vigil(sqlite_url, "state", "--rules", str(rules), "--json").stdout.splitlines()
    ]
    assert {r["item"]: r["value"] for r in records} == {"exchange": "agreed", "exchange-date": "unannounced"}
    timeline = vigil(sqlite_url, "timeline", "exchange", "--rules", str(rules)).stdout
    assert "none -> agreed" in timeline and "(exchange-news): delivered" in timeline


def test_mail_and_mqtt_subscribers_receive_alerts_through_the_pipeline(sqlite_url: str, tmp_path: Path) -> None:
    with FeedServer() as feeds, SmtpReceiver() as smtp, MqttSubscriber() as mqtt:
        rules = write_rules(tmp_path, feeds, smtp.url())
        rules.write_text(
            rules.read_text().replace(f'urls: ["{smtp.url()}"]', f'urls: ["{smtp.url()}", "{mqtt.url()}"]')
        )
        Timeline(feeds).add(STEPS[0])
        assert run_once(sqlite_url, rules).returncode == 0
        mail = smtp.wait_for(lambda m: "agreed" in m.subject, timeout=30)
        assert "agreed to a new prisoner exchange" in mail.text
        message = mqtt.wait_for(lambda m: "agreed" in m.text, timeout=30)
        assert "agreed to a new prisoner exchange" in message.text
