"""The dashboard names the channel of a subscriber whose URL is kept in the environment (issue 19, item 2):
`${HOOK_URL}` shows `via json` once sent to, `${HOOK_URL:-json://…}` from its default at once — never
`via ?` — and never the URL's secret parts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from service.delivery.worker import DeliveryWorker
from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import load_rules
from service.web.app import create_app
from service.web.context import WebContext
from tests.delivery.alerts import ITEM, raise_alerts
from tests.support.receivers import JsonReceiver

RULES = f"""\
items:
  {ITEM}:
    title: Prisoner exchange
    states:
      agreed: ['agreed to a prisoner exchange']
"""


def _page(db: str, tmp_path: Path) -> str:
    (tmp_path / "rules.yaml").write_text(RULES)
    loaded = load_rules([tmp_path / "rules.yaml"], env={})
    store = open_pipeline_store(db)
    try:
        with TestClient(create_app(WebContext(store, rules=lambda: loaded, started_at=datetime.now(UTC)))) as client:
            return client.get("/").text
    finally:
        store.close()


def _delivery_line(page: str) -> str:
    return page.split('<li class="delivery">', 1)[1].split("</li>", 1)[0]


def test_a_url_from_the_environment_shows_its_channel_once_sent(sqlite_url: str, tmp_path: Path) -> None:
    with JsonReceiver() as hook:
        store = open_pipeline_store(sqlite_url)
        raise_alerts(store, "${HOOK_URL}", 1)
        now = datetime.now(UTC)
        env = {"HOOK_URL": hook.url("/hook", "+X-Token=s3cr3tT0ken99")}
        assert DeliveryWorker(store, "daemon-a", env, clock=lambda: now).run_due() == 1
        store.close()
        hook.wait_for()
    line = _delivery_line(_page(sqlite_url, tmp_path))
    assert "via json" in line and "via ?" not in line
    assert "s3cr3tT0ken99" not in _page(sqlite_url, tmp_path)


def test_a_default_names_the_channel_before_any_send(sqlite_url: str, tmp_path: Path) -> None:
    store = open_pipeline_store(sqlite_url)
    raise_alerts(store, "${TRADERS_URL:-mailto://127.0.0.1:9?to=desk@example.org}", 1)
    store.close()
    line = _delivery_line(_page(sqlite_url, tmp_path))
    assert "status-pending" in line and "via mailto" in line, line
