"""A send that cannot work as written is abandoned at its first attempt, with its reason shown by
``vigil alerts --failed`` and the dashboard; one that may pass (the target answered 500) is retried."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import event

from service.cli.main import cli
from service.delivery.worker import DeliveryWorker
from service.pipeline.wiring import open_pipeline_store
from service.rules.loader import load_rules
from service.store.hashing import timestamp_text
from service.store.recorder import EventStore
from service.web.app import create_app
from service.web.context import WebContext
from tests.delivery.alerts import ITEM, raise_alerts, stream_types
from tests.support.receivers import JsonReceiver

PERMANENT = "(permanent: not retried)"
RULES = f"""\
items:
  {ITEM}:
    title: Prisoner exchange
    states:
      agreed: ['agreed to a prisoner exchange']
"""


def _dashboard(db: str, tmp_path: Path) -> str:
    (tmp_path / "rules.yaml").write_text(RULES)
    loaded = load_rules([tmp_path / "rules.yaml"], env={})
    store = open_pipeline_store(db)
    try:
        with TestClient(create_app(WebContext(store, rules=lambda: loaded, started_at=datetime.now(UTC)))) as client:
            page = client.get("/")
    finally:
        store.close()
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("json://127.0.0.1:{port}/hook?+X-Key=${{MISSING_KEY}}", "MISSING_KEY is not set"),
        ("nosuchservice://127.0.0.1:{port}/hook", "unsupported scheme nosuchservice://"),
        ("json://127.0.0.1:{port}/hook?method=BOGUS", "The method specified (***) is invalid"),
    ],
)
def test_a_permanent_failure_is_abandoned_at_the_first_attempt_with_its_reason(
    sqlite_url: str, tmp_path: Path, url: str, reason: str
) -> None:
    store = open_pipeline_store(sqlite_url)
    with JsonReceiver() as hook:
        raise_alerts(store, url.format(port=hook.port), 1)
        now = datetime.now(UTC)  # deliveries are due from the moment their alert was recorded
        worker = DeliveryWorker(store, "daemon-a", {}, clock=lambda: now)
        assert worker.run_due() == 1
        assert stream_types(store, "al-001") == ["AlertRaised", "AlertDeliveryFailed", "AlertDeliveryAbandoned"]
        later = DeliveryWorker(store, "daemon-a", {}, clock=lambda: now + timedelta(days=1))
        assert later.run_due() == 0  # nothing left to try: no retry an hour later, nor a day later
        assert hook.requests() == []
    store.close()

    listed = CliRunner().invoke(cli, ["--db", sqlite_url, "alerts", "--failed"])
    assert listed.exit_code == 0, listed.output
    [line] = [line for line in listed.output.splitlines() if "abandoned after" in line]
    assert "abandoned after 1 attempt(s); last error: " in line and f"{reason}" in line, line
    assert line.endswith(PERMANENT), line
    page = _dashboard(sqlite_url, tmp_path)
    assert "status-pill status-abandoned" in page and PERMANENT in page and "1 attempt<" in page


def test_a_transient_failure_is_retried_on_the_schedule(sqlite_url: str) -> None:
    store = open_pipeline_store(sqlite_url)
    with JsonReceiver(fail_times=1) as hook:
        raise_alerts(store, hook.url("/hook"), 1)
        start = datetime.now(UTC)
        now = [start]
        worker = DeliveryWorker(store, "daemon-a", {}, clock=lambda: now[0])
        assert worker.run_due() == 1
        assert stream_types(store, "al-001") == ["AlertRaised", "AlertDeliveryFailed"]
        [failed] = store.read_stream("alert:al-001", types=["AlertDeliveryFailed"])
        assert failed.data["next_attempt"] == timestamp_text(start + timedelta(seconds=30))
        assert worker.run_due() == 0  # not before its time
        now[0] = start + timedelta(seconds=30)
        assert worker.run_due() == 1
        assert [r.status for r in hook.requests()] == [500, 200]
    assert stream_types(store, "al-001")[-1] == "AlertDelivered"
    store.close()



def _checkouts(store: EventStore, work: Callable[[], object]) -> int:
    taken: list[int] = []

    def count(*_: object) -> None:
        taken.append(1)

    event.listen(store.engine, "checkout", count)
    try:
        work()
    finally:
        event.remove(store.engine, "checkout", count)
    return len(taken)


def test_a_delivery_pass_does_not_read_again_to_find_nothing_more(tmp_path: Path) -> None:
    """A pass read what was due (and the digests) once more after sending everything, to find nothing:
    on PostgreSQL two more pooled connections, six round trips, after every pass."""
    with JsonReceiver() as hook:
        reads = {}
        for count in (0, 1, 3):
            store = open_pipeline_store(str(tmp_path / f"{count}.db"))
            try:
                if count:
                    raise_alerts(store, f"json://127.0.0.1:{hook.port}/hook", count)
                worker = DeliveryWorker(store, "a", {})
                reads[count] = _checkouts(store, worker.run_all_due)
            finally:
                store.close()
    per_delivery = reads[1] - reads[0]
    assert per_delivery > 0
    assert reads[3] == reads[0] + 3 * per_delivery  # the pass's own reads once, not once more at its end


def test_a_delivery_pass_with_nothing_due_takes_one_pooled_connection(tmp_path: Path) -> None:
    """A pass read the subscribers with a digest on one pooled connection, what was due on another (on
    PostgreSQL each is round trips of its own); one now, unless a digest may fall due."""
    store = open_pipeline_store(str(tmp_path / "idle.db"))
    try:
        assert _checkouts(store, DeliveryWorker(store, "a", {}).run_all_due) == 1
    finally:
        store.close()
