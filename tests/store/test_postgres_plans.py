"""PostgreSQL keeps the plans of prepared statements: the append path must stay cheap under a stale one."""

from __future__ import annotations

from typing import Any

from service.store import NewEvent
from service.store.backend import stream_version_sql
from service.store.bootstrap import open_store


def _most_rows(node: dict[str, Any]) -> int:
    """The largest number of rows any node of an EXPLAIN ANALYZE plan produced."""
    return max([int(node["Actual Rows"])] + [_most_rows(child) for child in node.get("Plans", [])])


def test_an_append_reads_one_index_entry_however_long_the_stream_under_a_plan_made_when_it_was_empty(
    pg_url: str,
) -> None:
    # psycopg prepares a statement after five executions; PostgreSQL then keeps one generic plan per
    # connection, made with the statistics of that moment (a young, nearly empty table) and kept until
    # the next ANALYZE, which never comes where autovacuum is off. A daemon's pooled connections live
    # that long. With MAX(stream_version) that plan read every event of the stream on every append.
    store = open_store(pg_url)
    try:
        with store.reading() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("SET plan_cache_mode = force_generic_plan")
            queries = {"head": store.backend.head_sql, "version": stream_version_sql("%s")}
            for name, sql in queries.items():
                raw.execute(f"PREPARE {name}(text) AS {sql.replace('%s', '$1')}")
                raw.execute(f"EXECUTE {name}('source:wire')")  # planned now, while the table is empty
            store.append("source:wire", [NewEvent("SourcePolled", {"n": n}) for n in range(3000)])
            for name in queries:
                explained = raw.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}('source:wire')").fetchone()
                assert explained is not None
                assert _most_rows(explained[0][0]["Plan"]) == 1, name
            assert raw.execute("EXECUTE version('source:wire')").fetchone() == (3000,)
    finally:
        store.close()


def test_an_items_newest_changes_are_read_from_one_index_range_not_sorted_from_all(pg_url: str) -> None:
    # The dashboard's read: an item's newest state changes. Changes are rare in the whole log but common
    # in the item's stream; PostgreSQL, taking stream and type for independent conditions, combined the
    # stream and type indexes, reading every event of the stream and of the type; with migration 0004 it
    # reads one index range holding the item's changes and nothing else.
    store = open_store(pg_url)
    try:
        stream = [NewEvent("ItemStateChanged" if n % 4 == 0 else "EvidenceFound", {"n": n}) for n in range(2000)]
        store.append("item:truce", stream)
        for block in range(15):
            store.append(f"source:s{block}", [
                NewEvent("ItemStateChanged" if n == 0 else "EntryObserved", {}) for n in range(2000)
            ])
        with store.reading() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.execute("ANALYZE events")  # fresh statistics: the plan is the planner's best, not a stale one
            sql = (
                "SELECT position FROM events WHERE stream_id = 'item:truce' AND stream_version >= 1 "
                "AND event_type IN ('ItemStateChanged') ORDER BY stream_version DESC LIMIT 51"
            )
            explained = raw.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").fetchone()
            assert explained is not None
            plan = explained[0][0]["Plan"]
            assert _most_rows(plan) <= 500, plan  # the item's changes; the stream holds 2,000 events
        newest = store.read_stream("item:truce", types=["ItemStateChanged"], last=2)
        assert [e.data["n"] for e in newest] == [1992, 1996]
    finally:
        store.close()
