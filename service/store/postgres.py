"""PostgreSQL backend (psycopg 3): appenders serialize on a transaction-level advisory lock.

The lock is what keeps readers from skipping a late commit: positions are assigned under it and it is
released only after the commit is visible, so position order is commit order. The hash chain needs the
same serialization anyway (each event's hash covers the previous one's).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import orjson
import psycopg
from psycopg import pq
from psycopg.types.json import set_json_loads
from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError

from service.store.backend import INSERT_COLUMNS, Guard, append_guard, head_sql
from service.store.errors import ScratchUnavailable, first_line
from service.store.pg_listener import CHANNEL_SQL, NOTIFY_SQL, PostgresListener
from service.store.wakeup import AppendSignal, Listening

#: An arbitrary constant naming Vigil's append lock among the database's advisory locks.
APPEND_LOCK_KEY = 0x76696769  # "vigi"
_LOCK_SQL = f"SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY})"
_BEGIN_AND_LOCK = f"BEGIN; {_LOCK_SQL}".encode()
#: Any constant both daemons agree on: the key of the session-level lock migrations run under.
MIGRATION_LOCK_KEY = 0x76696769  # "vigi"


def _announcing(insert: str) -> str:
    """``insert`` as one statement that also NOTIFYs the store's channel with the last position it wrote
    (nothing when the guard let no row in); it answers one row: (rows inserted, notifications queued)."""
    return (
        f"WITH appended AS ({insert} RETURNING position), "
        f"announced AS (SELECT pg_notify({CHANNEL_SQL}, max(position)::text) FROM appended HAVING count(*) > 0) "
        "SELECT (SELECT count(*) FROM appended), (SELECT count(*) FROM announced)"
    )


class PostgresBackend:
    """Locking and inserts for PostgreSQL."""

    name = "postgresql"
    mark = "%s"  # DB-API paramstyle
    keeps_nul = False
    # Each append's INSERT also NOTIFYs (see _announcing): a separate NOTIFY was a round trip of its own
    # on every write transaction, ~0.15 of the raw driver's single-event append rate.
    announces_appends = True
    autocommit_reads = True

    def configure(self, engine: Engine) -> None:
        """Decode JSONB with orjson on every connection (READ COMMITTED and synchronous_commit=on, the
        server's defaults, are what we want)."""
        event.listen(engine, "connect", _decode_json_with_orjson)

    def begin_append(self, driver: Any) -> None:
        """Begin the transaction and take the append lock until it ends, in one round trip.

        psycopg would send its ``BEGIN`` alone, then the lock: a round trip more on every write
        transaction (and psycopg's pipeline mode costs two waits of its own). Sent as one simple query
        through libpq, the connection is then in a transaction as psycopg sees it (it asks libpq), so it
        adds no ``BEGIN`` of its own and commits or rolls back as usual. Returns None: nothing tells
        whether another daemon appended since, so the remembered head is only a guess."""
        if driver.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            driver.execute(_LOCK_SQL)  # a transaction psycopg already began (nothing does, today)
            return
        result = driver.pgconn.exec_(_BEGIN_AND_LOCK)
        if result.status != pq.ExecStatus.TUPLES_OK:
            raise psycopg.errors.error_from_result(result, encoding=driver.info.encoding)

    def announce_append(self, conn: Connection, position: int) -> None:
        """NOTIFY the store's channel with the last position appended: PostgreSQL delivers it to the
        listeners when this transaction commits, and never if it rolls back."""
        conn.exec_driver_sql(NOTIFY_SQL, (str(position),))

    def listen(self, engine: Engine, signal: AppendSignal) -> Listening | None:
        """A listener thread on a connection of its own (service/store/pg_listener.py)."""
        return PostgresListener(engine, signal).start()

    head_sql = head_sql("%s")
    #: One event row: (position, stream_id, stream_version, event_type, schema_version, data, metadata,
    #: recorded_at, prev_hash, hash), JSON as canonical text.
    insert_sql = (
        f"INSERT INTO events ({INSERT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s, %s)"
    )

    _one = _announcing(
        f"INSERT INTO events ({INSERT_COLUMNS}) SELECT %s::bigint, %s, %s::int, %s, %s::int, %s::jsonb, "
        "%s::jsonb, %s::timestamptz, %s, %s"
    )
    _many = _announcing(
        f"INSERT INTO events ({INSERT_COLUMNS}) SELECT * FROM unnest(%b::bigint[], %b::text[], %b::int[], "
        "%b::text[], %b::int[], %b::jsonb[], %b::jsonb[], %b::timestamptz[], %b::text[], %b::text[])"
    )
    _guarded_one = _announcing(
        f"INSERT INTO events ({INSERT_COLUMNS}) SELECT %s::bigint, %s, %s::int, %s, %s::int, %s::jsonb, "
        f"%s::jsonb, %s::timestamptz, %s, %s WHERE {append_guard('%s')}"
    )
    _guarded_many = _announcing(
        f"INSERT INTO events ({INSERT_COLUMNS}) SELECT * FROM unnest(%b::bigint[], %b::text[], %b::int[], "
        "%b::text[], %b::int[], %b::jsonb[], %b::jsonb[], %b::timestamptz[], %b::text[], %b::text[]) "
        f"WHERE {append_guard('%s')}"
    )

    @classmethod
    def append_rows(cls, cursor: Any, rows: Sequence[Sequence[Any]], guard: Guard | None) -> bool:
        """One statement, one round trip: several rows as one array per column (``executemany`` costs
        ~60 µs of psycopg's Python a row), their guard evaluated once, and the NOTIFY of the last position
        (delivered when the transaction commits, never if it rolls back)."""
        if len(rows) == 1:
            one = cls._one if guard is None else cls._guarded_one
            cursor.execute(one, rows[0] if guard is None else (*rows[0], *guard))
        else:
            columns = [list(column) for column in zip(*rows, strict=True)]
            many = cls._many if guard is None else cls._guarded_many
            cursor.execute(many, columns if guard is None else (*columns, *guard))
        inserted = cursor.fetchone()
        return bool(inserted is not None and inserted[0] == len(rows))

    @staticmethod
    def driver_sql(sql: str) -> str:
        """psycopg wants ``%(name)s`` for ``:name`` (and ``%%`` for a literal ``%``)."""
        return _named_for_psycopg(sql)

    @staticmethod
    def insert_many(cursor: Any, insert: str, types: Sequence[str], rows: Sequence[Sequence[Any]], tail: str) -> None:
        """One statement, one array per column expanded by ``unnest``: ``executemany`` costs ~60 µs of
        psycopg's Python per row even pipelined (the rows' conflict keys must then be distinct: one
        statement cannot change a row twice)."""
        arrays = ", ".join(f"%b::{kind}[]" for kind in types)
        columns = [list(column) for column in zip(*rows, strict=True)]
        cursor.execute(f"{insert} SELECT * FROM unnest({arrays}) {tail}", columns)

    @staticmethod
    @contextmanager
    def migration_lock(engine: Engine) -> Iterator[None]:
        """A session-level advisory lock on a connection of its own.

        Several daemons started together on an empty database would otherwise all see "no schema" and
        race to create it (one fails on a duplicate table); with it they take turns, and the later ones
        find the schema at head."""
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
                conn.commit()

    @staticmethod
    @contextmanager
    def scratch_database(engine: Engine) -> Iterator[str]:
        """A schema of its own in the same database, reached through ``search_path``, dropped afterwards."""
        schema = f"vigil_verify_{uuid.uuid4().hex[:12]}"
        try:
            _execute(engine, f"CREATE SCHEMA {schema}")
        except DBAPIError as error:
            raise ScratchUnavailable(f"cannot create a scratch schema ({first_line(error)})") from None
        try:
            url = engine.url
            options = f"{url.query.get('options', '')} -csearch_path={schema}".strip()
            yield url.update_query_dict({"options": options}).render_as_string(hide_password=False)
        finally:
            _execute(engine, f"DROP SCHEMA {schema} CASCADE")


def _execute(engine: Engine, sql: str) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql(sql)
        conn.commit()


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


@lru_cache(maxsize=512)
def _named_for_psycopg(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


def _decode_json_with_orjson(dbapi_connection: Any, _record: object) -> None:
    # psycopg decodes JSONB with the stdlib's json by default: several times slower than orjson, and
    # reading the log (a replay, `vigil why`, the dashboard) is mostly decoding event data. Set per
    # connection, not process-wide, so nothing else in the process is affected.
    set_json_loads(orjson.loads, dbapi_connection)
