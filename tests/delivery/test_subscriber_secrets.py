"""No subscriber secret is written to the log of events (issue 13, finding 2).

A URL holding a literal secret — given to `vigil subscribe add`, the API, or written in a rule file — is
sealed in ``subscriber_secrets``, outside the log; the ``SubscriberAdded`` event records a reference and
the URL redacted. The test searches the events table, `vigil events`, an export and every command's output
for the secrets, and proves delivery still reaches both URLs. An export made ``--with-secrets`` carries
them (loudly) and restores a store that can send again.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from service.delivery.secret_urls import sealed_count
from service.demo.feeds import FeedServer
from service.events.catalog import SubscriberAdded
from service.pipeline.wiring import open_pipeline_store
from service.store.records import NewEvent
from tests.cli.test_operations import vigil
from tests.pipeline.harness import STEPS, Timeline, run_once, write_rules
from tests.support.receivers import JsonReceiver

CLI_SECRETS = ("s3cretpass", "abc123token")
RULE_SECRETS = ("rulepass9", "tok3nInRules")
SECRETS = CLI_SECRETS + RULE_SECRETS


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_no_subscriber_secret_reaches_the_log_an_export_or_any_output(sqlite_url: str, tmp_path: Path) -> None:
    db_file = Path(sqlite_url.removeprefix("sqlite:///"))
    outputs: list[str] = []

    def run(*args: str, db: str = sqlite_url) -> str:
        done = vigil(db, *args)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout + done.stderr)
        return done.stdout + done.stderr

    with FeedServer() as feeds, JsonReceiver() as hook:
        run("db", "upgrade")
        run("subscribe", "add", "desk", f"json://vigil:s3cretpass@127.0.0.1:{hook.port}/cli?+X-Token=abc123token")
        rules = write_rules(tmp_path, feeds, f"json://rules:rulepass9@127.0.0.1:{hook.port}/rules?+X-Key=tok3nInRules")
        rules.write_text(rules.read_text().replace("    notify: [ops]\n", ""))  # both subscribers hear every alert
        Timeline(feeds).add(STEPS[0])
        once = run_once(sqlite_url, rules)
        assert once.returncode == 0, once.stderr
        outputs.append(once.stdout + once.stderr)
        hook.wait_for(lambda r: r.path.startswith("/cli"))
        hook.wait_for(lambda r: r.path.startswith("/rules"))
        # The receiver saw the real credentials: the sealed URLs were unsealed for the send.
        assert any(r.headers.get("X-Token") == "abc123token" for r in hook.requests())

        for command in (("events",), ("events", "--json", "--limit", "1000"), ("subscribe", "list"), ("alerts",),
                        ("state", "--rules", str(rules)), ("timeline", "exchange", "--rules", str(rules))):
            run(*command)
        export = tmp_path / "backup.jsonl"
        noted = run("export", "-o", str(export))
        assert "2 subscriber secrets are sealed outside the log and were not exported" in noted

        with sqlite3.connect(db_file) as conn:
            logged = "\n".join(str(row) for row in conn.execute("SELECT * FROM events"))
            projected = "\n".join(str(row) for table in ("subscribers", "deliveries")
                                  for row in conn.execute(f"SELECT * FROM {table}"))  # noqa: S608 - fixed names
        assert _leaks(logged) == [] and _leaks(projected) == []
        assert _leaks(export.read_text()) == []
        assert [output for output in outputs if _leaks(output)] == []
        assert "json://vigil:***@127.0.0.1" in "\n".join(outputs)  # shown, redacted, not hidden altogether

        # Loudly asked for, a backup carries the secrets, and a store restored from it can send again.
        full = tmp_path / "full.jsonl"
        warned = vigil(sqlite_url, "export", "-o", str(full), "--with-secrets")
        assert "WARNING: the export holds 2 subscriber secrets in clear" in warned.stderr
        assert set(_leaks(full.read_text())) == set(SECRETS)
        restored_db = f"sqlite:///{tmp_path / 'restored.db'}"
        imported = vigil(restored_db, "import", str(full))
        assert "2 subscriber secrets restored" in imported.stdout, imported.stderr
        tested = vigil(restored_db, "subscribe", "test", "desk")
        assert tested.returncode == 0, tested.stdout + tested.stderr
        hook.wait_for(lambda r: r.path.startswith("/cli") and "test of subscriber desk" in r.text)

    # Removing the subscriber forgets its secret (the rules' subscriber keeps its own).
    run("subscribe", "remove", "desk")
    store = open_pipeline_store(sqlite_url)
    try:
        with store.reading() as conn:
            assert sealed_count(conn) == 1
    finally:
        store.close()


def test_a_v1_event_that_recorded_a_literal_url_is_shown_redacted(sqlite_url: str) -> None:
    store = open_pipeline_store(sqlite_url)
    try:
        old = {"name": "legacy", "urls": ["json://u:oldpass42@127.0.0.1:9/hook?+X-Token=oldtoken99"],
               "items": [], "tags": [], "min_severity": "info", "origin": "cli"}
        store.append("config", [NewEvent(SubscriberAdded.TYPE, old, schema_version=1)])
    finally:
        store.close()
    for args in (("events", "--json"), ("events",), ("subscribe", "list")):
        shown = vigil(sqlite_url, *args)
        assert shown.returncode == 0, shown.stderr
        assert "oldpass42" not in shown.stdout and "oldtoken99" not in shown.stdout
        assert args == ("events",) or "json://u:***@127.0.0.1:9" in shown.stdout, shown.stdout  # (a line is cut)
    listed = json.loads(vigil(sqlite_url, "events", "--json").stdout.splitlines()[-1])
    assert listed["schema_version"] == SubscriberAdded.VERSION and listed["data"]["shown"] is None
