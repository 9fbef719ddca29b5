"""An alert's severity reaches the channel: apprise's notify type on a JSON webhook (info / warning /
failure), and the priority headers of an e-mail (which has no notify type)."""

from __future__ import annotations

from datetime import UTC, datetime

from service.delivery.worker import DeliveryWorker
from service.pipeline.wiring import open_pipeline_store
from tests.delivery.alerts import raise_alerts
from tests.support.receivers import JsonReceiver, SmtpReceiver

SEVERITIES = ("info", "warning", "critical")


def _deliver(db: str, url: str) -> None:
    store = open_pipeline_store(db)
    try:
        raise_alerts(store, url, 3, SEVERITIES)
        now = datetime.now(UTC)
        assert DeliveryWorker(store, "daemon-a", {}, clock=lambda: now).run_due() == 3
    finally:
        store.close()


def test_a_json_webhook_hears_each_severity_as_its_notify_type(sqlite_url: str) -> None:
    with JsonReceiver() as hook:
        _deliver(sqlite_url, hook.url("/hook"))
        received = {r.json()["title"]: r.json()["type"] for r in hook.requests()}
    assert received == {"Alert 1": "info", "Alert 2": "warning", "Alert 3": "failure"}


def test_an_email_carries_the_severity_as_priority_headers(sqlite_url: str) -> None:
    with SmtpReceiver() as smtp:
        _deliver(sqlite_url, smtp.url())
        for title in ("Alert 1", "Alert 2", "Alert 3"):
            smtp.wait_for(lambda mail, title=title: mail.message["Subject"] == title)
        mails = {m.message["Subject"]: m.message for m in smtp.mails()}
    assert {t: (m["X-Vigil-Severity"], m["X-Priority"], m["Importance"]) for t, m in mails.items()} == {
        "Alert 1": ("info", "3", "normal"),
        "Alert 2": ("warning", "2", "high"),
        "Alert 3": ("critical", "1", "high"),
    }
