"""Reading the newest alerts costs the same after years of alerts as on the first day."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from service.alerting.reads import newest_alerts_query
from service.delivery.status import recent_alerts
from service.store.recorder import EventStore

ALERTS = 3000


def _fill(store: EventStore) -> None:
    """Alert rows as the alerts and delivery projections write them, for two items, each with one delivery."""
    statuses = [{"id": f"al-{n:05d}", "status": "failed" if n % 500 == 0 else "delivered"}
                for n in range(1, ALERTS + 1)]
    with store.transaction() as tx:
        conn = tx.connection
        conn.execute(
            text(
                "INSERT INTO alerts (alert_id, rule, item, severity, title, raised_at, raised_position, "
                "trigger_position) VALUES (:id, 'r', :item, 'info', :title, :at, :position, :position)"
            ),
            [
                {"id": f"al-{n:05d}", "item": "ceasefire" if n % 3 else "summit", "title": f"alert {n}",
                 "at": f"2026-01-01T00:00:{n % 60:02d}", "position": n}
                for n in range(1, ALERTS + 1)
            ],
        )
        conn.execute(
            text(
                "INSERT INTO deliveries (alert_id, subscriber, target_index, url, target, status, attempts) "
                "VALUES (:id, 'ops', 0, 'json://127.0.0.1/hook', 'json://127.0.0.1/hook', :status, 1)"
            ),
            statuses,
        )
        conn.execute(text("INSERT INTO alert_status (alert_id, status) VALUES (:id, :status)"), statuses)


def _plan_rows(node: dict[str, Any]) -> list[tuple[str, int]]:
    return [(node["Node Type"], int(node["Actual Rows"]))] + [
        row for child in node.get("Plans", []) for row in _plan_rows(child)
    ]


@pytest.mark.parametrize("item", [None, "summit"])
def test_the_newest_alerts_are_an_index_walk_not_a_sort_of_every_alert(store: EventStore, item: str | None) -> None:
    _fill(store)
    query = newest_alerts_query(of_item=item is not None)
    params = {"limit": 5, "item": item}
    with store.reading() as conn:
        if store.backend.name == "sqlite":
            plan = " | ".join(row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {query.text}"), params))
            assert "TEMP B-TREE" not in plan and "USING INDEX ix_alerts_" in plan, plan
        else:
            explained = conn.execute(text(f"EXPLAIN (ANALYZE, FORMAT JSON) {query.text}"), params).scalar_one()
            nodes = _plan_rows(explained[0]["Plan"])
            assert "Sort" not in {name for name, _ in nodes} and max(rows for _, rows in nodes) <= 5, nodes

    newest = recent_alerts(store, limit=5, item=item)
    expected = [n for n in range(ALERTS, 0, -1) if item is None or (n % 3 == 0)][:5]
    assert [alert.alert_id for alert in newest] == [f"al-{n:05d}" for n in expected]
    assert [alert.status for alert in newest] == ["failed" if n % 500 == 0 else "delivered" for n in expected]
    failed = recent_alerts(store, limit=2, failed_only=True)
    assert [(alert.alert_id, alert.status) for alert in failed] == [("al-03000", "failed"), ("al-02500", "failed")]
