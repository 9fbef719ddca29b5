"""Lease stage: a delivery is claimed only while it is still due, and only by one daemon; the claim is
renewed while held, so it outlasts any send, and lapses once it is no longer renewed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from service.delivery.due import due_deliveries
from service.delivery.lease import LeaseStage
from service.delivery.stages import Attempt
from service.delivery.worker import DeliveryWorker
from service.pipeline.wiring import open_pipeline_store
from service.store.recorder import EventStore
from tests.delivery.alerts import raise_alerts
from tests.support.receivers import JsonReceiver, poll

SHORT = timedelta(seconds=0.3)


def _now() -> datetime:
    return datetime.now(UTC)


def _until(store: EventStore, name: str) -> list[str]:
    with store.reading() as conn:
        return list(conn.execute(text("SELECT until FROM leases WHERE name = :name"), {"name": name}).scalars())


def test_a_delivery_sent_since_it_was_read_is_not_claimed_again(db_url: str) -> None:
    store = open_pipeline_store(db_url)
    with JsonReceiver() as hook:
        raise_alerts(store, hook.url("/hook"), 1)
        [stale] = due_deliveries(store, _now(), 10)  # read by one daemon...
        assert DeliveryWorker(store, "daemon-b", {}).run_due() == 1  # ...sent and recorded by another
        assert LeaseStage(store, "daemon-a", SHORT, _now)(Attempt(stale)) is None
        assert len(hook.requests()) == 1
    store.close()


def test_a_held_lease_is_renewed_until_stopped_and_nobody_else_takes_it_meanwhile(db_url: str) -> None:
    store = open_pipeline_store(db_url)
    raise_alerts(store, "json://127.0.0.1:9/hook", 1)
    [delivery] = due_deliveries(store, _now(), 10)
    held = LeaseStage(store, "daemon-a", SHORT, _now)(Attempt(delivery))
    assert held is not None and held.lease is not None
    try:
        [first] = _until(store, delivery.lease_name)
        # Renewed well past the end it was first given: the send it covers may take as long as it takes.
        horizon = (datetime.fromisoformat(first) + 3 * SHORT).isoformat()
        poll(lambda: _until(store, delivery.lease_name), lambda until: until > horizon, 10, "lease renewed")
        assert LeaseStage(store, "daemon-b", SHORT, _now)(Attempt(delivery)) is None
    finally:
        held.lease.stop()
    assert not held.lease.lost
    # Not renewed any more: it lapses, and another daemon may take the delivery.
    taken = poll(lambda: [LeaseStage(store, "daemon-b", SHORT, _now)(Attempt(delivery))], bool, 10, "lease lapsed")
    assert taken is not None and taken.lease is not None
    taken.lease.stop()
    store.close()
