"""Starting Vigil the way deploy/ does: the installed console script, configured only by environment."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from service.demo.feeds import FeedServer
from service.store.bootstrap import open_store
from tests.pipeline.harness import vigil_env, write_rules
from tests.support.databases import pg_base_url
from tests.support.receivers import JsonReceiver, free_port, poll
from tests.web.served import ServedDaemon, start_served, vigil_command

API_TOKEN = "deploy-token-0123456789abcdef"
VIGIL_SCRIPT = Path(sys.executable).parent / "vigil"
NEW_ITEM = """\
  ceasefire:
    title: Ceasefire
    initial: none
    states:
      agreed: ['agreed (to|on) a ceasefire']
"""


def _with_password(url: str) -> tuple[str, str]:
    """``url`` with a password in it (the test server trusts loopback, so any will do), and the password."""
    parts = urlsplit(url)
    if parts.password:
        return url, parts.password
    password = "Db-Passw0rd-not-for-logs"
    netloc = f"{parts.username or 'postgres'}:{password}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc)), password


def _schema(pg_url: str) -> str:
    return pg_url.rpartition("search_path%3D")[2]


def _readiness(daemon: ServedDaemon) -> list[tuple[int, str]]:
    response = daemon.get("/readyz")
    return [(response.status_code, response.json().get("reason", ""))]


@pytest.mark.postgres
def test_console_script_configured_by_environment_serves_and_stops_on_sigterm(pg_url: str, tmp_path: Path) -> None:
    db_url, db_password = _with_password(pg_url)
    port = free_port()
    with FeedServer() as feeds, JsonReceiver() as hook:
        rules = write_rules(tmp_path / "rules", feeds, hook.url("/hook"))
        env = {
            **vigil_env(db_url),
            "VIGIL_RULES": str(rules),
            "VIGIL_HTTP": f"127.0.0.1:{port}",
            "VIGIL_API_TOKEN": API_TOKEN,
            "VIGIL_LOG_FORMAT": "json",
        }
        daemon = start_served([str(VIGIL_SCRIPT), "run"], tmp_path / "daemon.log", env)
        try:
            assert daemon.base_url == f"http://127.0.0.1:{port}"
            assert daemon.get("/readyz").json()["status"] == "ok"
            created = daemon.request(
                "POST",
                "/api/subscribers",
                json={"name": "pager", "urls": [hook.url("/pager")]},
                headers={"Authorization": f"Bearer {API_TOKEN}"},
            )
            assert created.status_code == 201
            # The database stops answering Vigil's queries (its schema disappears): not ready, and why.
            schema = _schema(pg_url)
            with psycopg.connect(pg_base_url(), autocommit=True) as conn:
                conn.execute(f"ALTER SCHEMA {schema} RENAME TO {schema}_away")
                try:
                    status, reason = poll(lambda: _readiness(daemon), lambda r: r[0] == 503, 30, "503 from /readyz")
                    outage = [daemon.get("/api/items"), daemon.get("/metrics")]
                finally:
                    conn.execute(f"ALTER SCHEMA {schema}_away RENAME TO {schema}")
            assert reason.startswith("database check failed")
            assert (outage[0].status_code, outage[0].json()) == (503, {"detail": "database unavailable"})
            assert outage[1].status_code == 200
            assert "vigil_database_up 0.0" in outage[1].text
            poll(lambda: _readiness(daemon), lambda r: r[0] == 200, 30, "ready again")
            responses = [daemon.get(path).text for path in ("/readyz", "/metrics", "/api/sources", "/alerts.atom")]
            responses += [response.text for response in outage]
        finally:
            code = daemon.stop()
    assert code == 0
    log = daemon.log_text()
    assert '"message": "daemon stopped"' in log
    for text in [log, *responses]:
        assert db_password not in text
        assert API_TOKEN not in text


def _item_names(daemon: ServedDaemon) -> list[set[str]]:
    return [{item["item"] for item in daemon.get("/api/items").json()}]


def test_without_a_token_the_subscriber_routes_do_not_exist_and_sighup_shows_new_rules(
    sqlite_url: str, tmp_path: Path
) -> None:
    with FeedServer() as feeds:
        rules = write_rules(tmp_path, feeds, "json://127.0.0.1:9/hook")
        daemon = start_served(vigil_command(rules), tmp_path / "daemon.log", vigil_env(sqlite_url))
        try:
            for method in ("GET", "POST"):
                assert daemon.request(method, "/api/subscribers").status_code == 404
            assert daemon.request("DELETE", "/api/subscribers/ops").status_code == 404
            assert "/api/subscribers" not in daemon.get("/openapi.json").json()["paths"]
            # The API answers from the rules loaded now: a reload adds the new item to it.
            assert _item_names(daemon) == [{"exchange", "exchange-date"}]
            rules.write_text(rules.read_text().replace("alerts:", NEW_ITEM + "alerts:"))
            daemon.process.send_signal(signal.SIGHUP)
            poll(lambda: _item_names(daemon), lambda names: "ceasefire" in names, 30, "the reloaded item")
            assert daemon.get("/api/items/ceasefire").json()["value"] == "none"
        finally:
            assert daemon.stop() == 0


def test_unusable_http_settings_are_one_line_errors(sqlite_url: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("items:\n  x: {title: X, states: {yes: ['yes']}}\n")
    base = [sys.executable, "-m", "service.cli", "run", "--rules", str(rules)]
    short = subprocess.run(
        [*base, "--http", "127.0.0.1:0"],
        capture_output=True,
        text=True,
        env=vigil_env(sqlite_url, VIGIL_API_TOKEN="tiny-t0k"),
        timeout=60,
    )
    assert short.returncode == 1
    assert short.stderr.startswith("vigil: VIGIL_API_TOKEN is too short (8 characters")
    assert "tiny-t0k" not in short.stderr
    malformed = subprocess.run(
        [*base], capture_output=True, text=True, env=vigil_env(sqlite_url, VIGIL_HTTP="localhost"), timeout=60
    )
    assert malformed.returncode == 2
    assert "'localhost' is not HOST:PORT" in malformed.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        busy = subprocess.run(
            [*base, "--http", address], capture_output=True, text=True, env=vigil_env(sqlite_url), timeout=60
        )
    assert busy.returncode == 2
    assert busy.stderr.splitlines()[-1] == f"vigil: cannot serve HTTP on {address}: Address already in use"
    one_pass = subprocess.run(
        [*base, "--once", "--http", "127.0.0.1:0"], capture_output=True, text=True, env=vigil_env(sqlite_url),
        timeout=60,
    )
    assert one_pass.returncode == 2
    assert "--http serves a running daemon; it cannot be used with --once" in one_pass.stderr
    store = open_store(sqlite_url)
    try:
        assert store.last_position() == 0  # refused before anything was recorded
    finally:
        store.close()
