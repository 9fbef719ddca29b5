"""PostgreSQL LISTEN/NOTIFY: what other processes append wakes this process's consumers.

An appending transaction sends ``pg_notify(channel, last position)`` before it commits, so the
notification is delivered only if (and when) the commit is (PostgreSQL holds it back until then, and
drops it on rollback). One listener thread per store, on a connection of its own that never leaves the
store, passes each notification's position to the store's ``AppendSignal``.

Notifications are a hint, never the record: a listener that loses its connection reconnects every
``RECONNECT_SECONDS`` and, once listening again, reads the newest position (anything committed while it
was away wakes the waiters then); until it does, consumers wake on their timer.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine

from service.store.wakeup import AppendSignal

log = logging.getLogger("vigil.store")

#: The channel's name, computed by the server for the schema in use (``search_path``): two logs in two
#: schemas of one database do not wake each other. Hashed because a channel name is at most 63 bytes.
CHANNEL_SQL = "'vigil_appended_' || left(md5(current_schema()), 16)"
NOTIFY_SQL = f"SELECT pg_notify({CHANNEL_SQL}, %s)"
#: How long a notification wait lasts before the thread checks whether it should stop.
STOP_CHECK_SECONDS = 0.5
RECONNECT_SECONDS = 5.0
CONNECT_TIMEOUT_S = 5


class PostgresListener:
    """A thread that LISTENs on the store's channel and tells ``signal`` each committed position."""

    def __init__(self, engine: Engine, signal: AppendSignal) -> None:
        args, params = engine.dialect.create_connect_args(engine.url)
        self._connect_args: tuple[Any, ...] = tuple(args)
        self._connect_params: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S, **params}
        self._signal = signal
        self._closed = threading.Event()
        self._interrupted = False  # whether the connection was lost and not yet regained (logged once)
        self._thread = threading.Thread(target=self._run, name="vigil-listener", daemon=True)

    def start(self) -> PostgresListener:
        """Start listening in the background."""
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop listening and close the connection (within ``STOP_CHECK_SECONDS``)."""
        self._closed.set()
        self._thread.join(timeout=STOP_CHECK_SECONDS * 4)

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                self._listen()
            except (psycopg.Error, OSError) as error:
                # The timer still wakes every consumer: a lost listener delays alerts, it loses none. One
                # line when it starts, one when it ends (a database outage is not a warning every 5 s).
                if not self._interrupted:
                    self._interrupted = True
                    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                    log.warning("append notifications interrupted (%s): consumers wake on their timer; "
                                "reconnecting every %.0fs", reason, RECONNECT_SECONDS)
            self._closed.wait(RECONNECT_SECONDS)

    def _listen(self) -> None:
        with psycopg.connect(*self._connect_args, autocommit=True, **self._connect_params) as conn:
            channel, schema = conn.execute(f"SELECT {CHANNEL_SQL}, current_schema()").fetchone()  # type: ignore[misc]
            # Named so an operator (or a test) can find it in pg_stat_activity.
            conn.execute("SELECT set_config('application_name', %s, false)", (f"vigil listener {schema}"[:63],))
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            # Listening now; whatever committed before is caught up by reading the head once.
            newest = conn.execute("SELECT MAX(position) FROM events").fetchone()
            if newest and newest[0]:
                self._signal.appended(int(newest[0]))
            if self._interrupted:
                self._interrupted = False
                log.info("append notifications resumed")
            while not self._closed.is_set():
                for notification in conn.notifies(timeout=STOP_CHECK_SECONDS):
                    if notification.payload.isdigit():  # anything else is not ours: ignored
                        self._signal.appended(int(notification.payload))
