"""The one reader of the ``alerts`` table, which the alerting projection (projection.py) alone writes.

Everyone who needs raised alerts asks here: the alert engine (a rule's throttle), the timeline, the
alert listings of the CLI, API and dashboard, and the Atom feed. Delivery status is not here: it is the
delivery projection's (service/delivery/status.py), joined by alert id by whoever shows both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, TextClause, text

_COLUMNS = "alert_id, raised_at, rule, item, severity, title, raised_position, trigger_position"
# ORDER BY ... LIMIT 1 rather than MAX(): see service/store/backend.stream_version_sql.
_LAST_RAISED = text(
    "SELECT raised_at FROM alerts WHERE rule = :rule AND item = :item ORDER BY raised_at DESC LIMIT 1"
)
# An alert is raised after the change that triggered it, so ``raised_position >= :first`` holds for every
# row wanted and lets the (item, raised_position) index skip the item's older alerts.
_OF_ITEM_SINCE = text(
    f"SELECT {_COLUMNS} FROM alerts WHERE item = :item AND raised_position >= :first AND trigger_position >= :first "
    "ORDER BY raised_position"
)
_OF_ITEM_BETWEEN = text(
    f"SELECT {_COLUMNS} FROM alerts WHERE item = :item AND raised_position >= :first AND trigger_position >= :first "
    "AND trigger_position <= :last ORDER BY raised_position"
)


@dataclass(frozen=True)
class AlertRow:
    """An alert as raised (what ``AlertRaised`` said, and where in the log it and its trigger are)."""

    alert_id: str
    raised_at: str
    rule: str
    item: str
    severity: str
    title: str
    raised_position: int
    trigger_position: int


def last_raised_at(conn: Connection, rule: str, item: str) -> str | None:
    """When ``rule`` last raised an alert for ``item`` (the throttle's question), or None."""
    value = conn.execute(_LAST_RAISED, {"rule": rule, "item": item}).scalar()
    return None if value is None else str(value)


def alerts_of_item_since(
    conn: Connection, item: str, first_position: int, last_position: int | None = None
) -> list[AlertRow]:
    """The alerts raised for ``item`` by changes at or after log position ``first_position`` (and, with
    ``last_position``, at or before it: an older page of changes reads only its own alerts)."""
    if last_position is None:
        return [AlertRow(*row) for row in conn.execute(_OF_ITEM_SINCE, {"item": item, "first": first_position})]
    bounds = {"item": item, "first": first_position, "last": last_position}
    return [AlertRow(*row) for row in conn.execute(_OF_ITEM_BETWEEN, bounds)]


def newest_alerts_query(*, of_item: bool = False, among: str | None = None) -> TextClause:
    """The newest ``:limit`` alerts (of ``:item`` with ``of_item``; with ``among``, only those whose id
    the given subquery selects), newest first: an index walk (migration 0003), so it costs the same
    however many alerts were ever raised."""
    conditions = ([f"alert_id IN ({among})"] if among else []) + (["item = :item"] if of_item else [])
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    return text(f"SELECT {_COLUMNS} FROM alerts {where}ORDER BY raised_position DESC LIMIT :limit")


def newest_alerts(conn: Connection, *, limit: int, item: str | None = None, among: str | None = None) -> list[AlertRow]:
    """The newest ``limit`` alerts, newest first (see ``newest_alerts_query``)."""
    query = newest_alerts_query(of_item=item is not None, among=among)
    return [AlertRow(*row) for row in conn.execute(query, {"limit": limit, "item": item})]


_BETWEEN = text(
    f"SELECT {_COLUMNS} FROM alerts WHERE raised_position > :after AND raised_position <= :upto "
    "ORDER BY raised_position"
)


def alerts_raised_between(conn: Connection, after: int, upto: int) -> list[AlertRow]:
    """The alerts raised after log position ``after`` and up to ``upto``, in the order they were raised."""
    return [AlertRow(*row) for row in conn.execute(_BETWEEN, {"after": after, "upto": upto})]


_ITEM_OF = text("SELECT item FROM alerts WHERE alert_id = :alert_id")


def item_of_alert(conn: Connection, alert_id: str) -> str | None:
    """The item an alert is about, or None for an alert the log does not have."""
    value = conn.execute(_ITEM_OF, {"alert_id": alert_id}).scalar()
    return None if value is None else str(value)
