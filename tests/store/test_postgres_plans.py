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
        with store.engine.connect() as conn:
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
        store.engine.dispose()
