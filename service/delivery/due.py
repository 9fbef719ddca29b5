"""Which deliveries are due to be sent: the delivery pipeline's input, read from the ``deliveries`` projection."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, text

from service.delivery.stages import Delivery
from service.store.hashing import timestamp_text
from service.store.recorder import EventStore

_DUE_WHERE = "status IN ('pending', 'failed') AND next_attempt <= :now"
_DUE = text(
    f"SELECT alert_id, subscriber, target_index, url, target, attempts, group_id FROM deliveries WHERE {_DUE_WHERE} "
    "ORDER BY next_attempt LIMIT :limit"
)
_GROUP = text(
    "SELECT alert_id, subscriber, target_index, url, target, attempts, group_id FROM deliveries "
    f"WHERE group_id = :group_id AND {_DUE_WHERE} ORDER BY alert_id"
)
_STILL_DUE = text(
    f"SELECT 1 FROM deliveries WHERE alert_id = :alert_id AND subscriber = :subscriber "
    f"AND target_index = :target_index AND attempts = :attempts AND {_DUE_WHERE}"
)


def due_deliveries(store: EventStore, now: datetime, limit: int) -> list[Delivery]:
    """Up to ``limit`` deliveries due at ``now``, the longest waiting first (another daemon may hold some)."""
    with store.reading() as conn:
        return due_on(conn, now, limit)


def due_on(conn: Connection, now: datetime, limit: int) -> list[Delivery]:
    """``due_deliveries`` read on ``conn`` (with what else the caller reads there)."""
    return [Delivery(*row) for row in conn.execute(_DUE, {"now": timestamp_text(now), "limit": limit})]


def group_due(conn: Connection, group_id: str, now: datetime) -> list[Delivery]:
    """The deliveries of a group due at ``now``: what one message of the group carries."""
    return [Delivery(*row) for row in conn.execute(_GROUP, {"group_id": group_id, "now": timestamp_text(now)})]


def still_due(conn: Connection, delivery: Delivery, now: datetime) -> bool:
    """Whether ``delivery`` is still due at ``now`` with no attempt recorded since it was read.

    Read in the transaction that claims it: a delivery another daemon sent (and released) between the
    reading of the due list and the claim must not be sent again.
    """
    params = {
        "alert_id": delivery.alert_id,
        "subscriber": delivery.subscriber,
        "target_index": delivery.target_index,
        "attempts": delivery.attempts,
        "now": timestamp_text(now),
    }
    return conn.execute(_STILL_DUE, params).first() is not None
