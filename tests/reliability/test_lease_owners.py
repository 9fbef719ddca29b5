"""Leases left behind by a killed daemon are taken over at once on the same machine, never from a live one."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from service.store.bootstrap import open_store
from service.store.leases import claim
from service.store.owners import is_dead_local_owner, process_owner

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(seconds=45)


def _owner_of_a_process_that_ran() -> str:
    """The owner name a process gave itself, after that process has exited (and been reaped)."""
    code = "from service.store.owners import process_owner; print(process_owner())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_dead_holder_on_this_machine_loses_its_lease_at_once(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    dead = _owner_of_a_process_that_ran()
    assert is_dead_local_owner(dead)
    with store.transaction() as tx:
        assert claim(tx.connection, "delivery:a", dead, now=NOW, until=UNTIL)
        assert claim(tx.connection, "delivery:a", process_owner(), now=NOW, until=UNTIL)
    store.close()


def test_live_remote_and_unreadable_holders_keep_their_lease(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    with subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE) as alive:
        live = process_owner().rsplit(":", 2)[0] + f":{alive.pid}:abcdef"
        holders = [live, "other-host:4026531836:1:abcdef", "vm:12345:abcdef", "no colons at all"]
        assert not any(is_dead_local_owner(holder) for holder in holders)
        with store.transaction() as tx:
            for index, holder in enumerate(holders):
                assert claim(tx.connection, f"source:{index}", holder, now=NOW, until=UNTIL)
                assert not claim(tx.connection, f"source:{index}", process_owner(), now=NOW, until=UNTIL)
        assert alive.stdin is not None
        alive.stdin.close()
    store.close()
