"""The dashboard names the channel of a subscriber whose URL is kept in the environment (issue 19, item 2):
`${HOOK_URL}` shows `via json` once sent to, `${HOOK_URL:-json://…}` from its default at once — never
`via ?` — and never the URL's secret parts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from service.delivery.worker import DeliveryWorker
from service.pipeline.wiring import open_pipeline_store
from tests.delivery.alerts import raise_alerts
from tests.delivery.test_failures import _dashboard
from tests.support.receivers import JsonReceiver

_page = _dashboard  # the dashboard over the same rules as the failure tests


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
