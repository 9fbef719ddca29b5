"""History that cannot be rewritten unseen: replacement refused, digests, projections checked, bad rows named.

Each test plays someone with write access to the database (a stolen file, a superuser) against a log the
real pipeline built (the demo scenario: entries, evidence, state changes, alerts, deliveries), on SQLite
and on PostgreSQL, and asserts what ``vigil verify`` / ``vigil replay`` tell the operator.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from service.demo.runner import run_demo
from service.history.transfer import export_events, import_events
from service.pipeline.wiring import open_pipeline_store
from service.store.hashing import canonical_json, chain_hash, timestamp_text
from service.store.head import Head, parse_heads

ROOT = Path(__file__).resolve().parents[2]
RULES = str(ROOT / "rules" / "istanbul-talks.yaml")


def vigil(db: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, as an operator runs it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VIGIL_")}
    clean["VIGIL_DB"] = db
    clean.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], capture_output=True, text=True, env=clean, cwd=ROOT, timeout=120
    )


@pytest.fixture(scope="module")
def demo_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A SQLite store built by the demo scenario, and its export."""
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    assert run_demo(path, [RULES], lambda _line: None) == 5
    store = open_pipeline_store(str(path))
    with open(folder / "log.jsonl", "w", encoding="utf-8") as out:
        export_events(store, out)
    store.close()
    return path, folder / "log.jsonl"


@pytest.fixture
def log_url(db_url: str, demo_log: tuple[Path, Path]) -> str:
    """The demo's log on each backend: the SQLite file copied, or imported into a PostgreSQL schema."""
    demo_db, export = demo_log
    if db_url.startswith("postgresql"):
        store = open_pipeline_store(db_url)
        import_events(store, export)
        store.close()
        return db_url
    shutil.copy(demo_db, db_url)
    return db_url


Execute = Callable[[str], None]


@pytest.fixture
def as_superuser(log_url: str) -> Iterator[Execute]:
    """Run SQL straight on the database, with the append-only triggers out of the way (as an attacker
    holding the file or a PostgreSQL superuser can)."""
    if log_url.startswith("postgresql"):
        conn = psycopg.connect(make_url(log_url).set(drivername="postgresql").render_as_string(False),
                               autocommit=True)
        conn.execute("SET session_replication_role = replica")  # no user trigger fires
        yield lambda sql: conn.execute(sql)  # type: ignore[arg-type]
        conn.close()
        return
    conn = sqlite3.connect(log_url, isolation_level=None)
    for trigger in ("events_no_update", "events_no_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    yield lambda sql: conn.execute(sql) and None
    conn.close()


def _last_position(url: str) -> int:
    store = open_pipeline_store(url)
    try:
        return store.last_position()
    finally:
        store.close()


def _one_line_exit_1(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


# --- 6: replacing an event -------------------------------------------------------------------------


def test_an_event_cannot_be_replaced_in_place_on_either_backend(log_url: str) -> None:
    forged = (
        "(position, stream_id, stream_version, event_type, schema_version, data, metadata, recorded_at, "
        "prev_hash, hash) SELECT position, stream_id, stream_version, event_type, schema_version, {data}, "
        "metadata, recorded_at, prev_hash, hash FROM events WHERE position = 3"
    )
    if log_url.startswith("postgresql"):
        plain_url = make_url(log_url).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(plain_url) as conn, pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute(
                "INSERT INTO events " + forged.format(data="'{\"forged\": true}'::jsonb")
                + " ON CONFLICT (position) DO UPDATE SET data = excluded.data"
            )
    else:
        with sqlite3.connect(log_url) as conn:
            for verb in ("INSERT OR REPLACE", "REPLACE"):
                with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                    conn.execute(f"{verb} INTO events " + forged.format(data="'{\"forged\":true}'"))
            # A new position taking an existing stream version would replace that event too.
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute("INSERT OR REPLACE INTO events " + forged.format(data="data").replace(
                    "SELECT position,", "SELECT position + 100000,"))
    assert vigil(log_url, "verify").returncode == 0


# --- 7: saved heads and the projections-------------------------------------------------------------


def test_a_saved_head_exposes_a_deleted_tail(log_url: str, as_superuser: Execute, tmp_path: Path) -> None:
    taken = vigil(log_url, "head")
    assert taken.returncode == 0, taken.stderr
    saved = tmp_path / "heads.log"
    saved.write_text(f"2026-12-02T10:00:00Z {taken.stdout.strip()}\n", encoding="utf-8")
    assert vigil(log_url, "verify", "--no-projections", "--head", str(saved)).returncode == 0

    last = _last_position(log_url)
    as_superuser(f"DELETE FROM events WHERE position > {last - 5}")

    _one_line_exit_1(vigil(log_url, "verify", "--head", str(saved)), "deleted from its end")
    _one_line_exit_1(vigil(log_url, "verify", "--head", taken.stdout.strip()), f"position {last}")


def test_a_truncated_postgresql_log_no_longer_verifies(pg_url: str, demo_log: tuple[Path, Path]) -> None:
    store = open_pipeline_store(pg_url)
    import_events(store, demo_log[1])
    store.close()
    head = vigil(pg_url, "head").stdout.strip()
    with psycopg.connect(make_url(pg_url).set(drivername="postgresql").render_as_string(False),
                         autocommit=True) as conn:
        conn.execute("ALTER TABLE events DISABLE TRIGGER events_no_truncate")
        conn.execute("TRUNCATE events")
    # Without a saved head the projections still show the old state: the rebuild from an empty log does not.
    _one_line_exit_1(vigil(pg_url, "verify"), "differs from a replay of the log")
    _one_line_exit_1(vigil(pg_url, "verify", "--head", head), "deleted from its end")


def test_a_saved_head_exposes_a_rewrite_with_recomputed_hashes(log_url: str, as_superuser: Execute) -> None:
    head = vigil(log_url, "head").stdout.strip()
    store = open_pipeline_store(log_url)
    events = list(store.read_all(0, upcast=False))
    store.close()
    prev = events[0].prev_hash
    for event in events:
        data = {**event.data, "forged": True} if event.position == 2 else event.data
        digest_of = chain_hash(
            prev, position=event.position, stream_id=event.stream_id, stream_version=event.stream_version,
            event_type=event.type, schema_version=event.schema_version, data_json=canonical_json(data),
            metadata_json=canonical_json(event.metadata), recorded_at=timestamp_text(event.recorded_at),
        )
        cast = "::jsonb" if log_url.startswith("postgresql") else ""
        data_sql = canonical_json(data).replace("'", "''")
        as_superuser(f"UPDATE events SET data = '{data_sql}'{cast}, prev_hash = '{prev}', hash = '{digest_of}' "
                     f"WHERE position = {event.position}")
        prev = digest_of
    assert vigil(log_url, "verify", "--no-projections").returncode == 0  # the chain alone cannot tell
    _one_line_exit_1(vigil(log_url, "verify", "--head", head), "was rewritten")


def test_a_signed_head_must_carry_the_operators_key(demo_log: tuple[Path, Path], tmp_path: Path) -> None:
    url = str(shutil.copy(demo_log[0], tmp_path / "vigil.db"))
    key = {"VIGIL_HEAD_KEY": "k" * 32}
    signed = vigil(url, "head", env=key).stdout.strip()
    plain = signed.rsplit(":", 1)[0]
    assert re.fullmatch(r"vigil-head:1:\d+:[0-9a-f]{64}", plain) and len(signed) == len(plain) + 65
    assert vigil(url, "verify", "--no-projections", "--head", signed, env=key).returncode == 0
    _one_line_exit_1(vigil(url, "verify", "--head", plain, env=key), "not signed with VIGIL_HEAD_KEY")


def test_heads_saved_under_the_old_digest_names_still_verify(demo_log: tuple[Path, Path], tmp_path: Path) -> None:
    # Until 2026-12-03 the head was the log's "digest" (`vigil digest`, `--digest`, VIGIL_DIGEST_KEY,
    # vigil-digest:1:...); "digest" now means a subscriber's daily message, the old names keep working.
    url = str(shutil.copy(demo_log[0], tmp_path / "vigil.db"))
    key = "k" * 32
    head = vigil(url, "head").stdout.strip()
    [parsed] = parse_heads(head)
    old_form = Head(parsed.position, parsed.hash, prefix="vigil-digest:1").signed(key).text()
    assert old_form.startswith("vigil-digest:1:")
    old_key = {"VIGIL_DIGEST_KEY": key}
    assert vigil(url, "verify", "--no-projections", "--digest", old_form, env=old_key).returncode == 0
    assert vigil(url, "verify", "--no-projections", "--head", old_form, env={"VIGIL_HEAD_KEY": key}).returncode == 0
    forged = old_form[:-1] + ("0" if old_form[-1] != "0" else "1")
    _one_line_exit_1(vigil(url, "verify", "--digest", forged, env=old_key), "not signed with VIGIL_HEAD_KEY")
    assert vigil(url, "digest").stdout.strip() == head  # the old command prints the same head
    shown = vigil(url, "--help").stdout
    assert "head " in shown and " digest " not in shown  # ... but only the new one is listed


def test_verify_names_an_edited_projection_row(log_url: str, as_superuser: Execute) -> None:
    assert vigil(log_url, "verify").returncode == 0
    as_superuser("UPDATE item_states SET value = 'FORGED-STATE' WHERE item = 'summit'")
    _one_line_exit_1(vigil(log_url, "verify"), "item_states", "'summit'", "FORGED-STATE")


# --- 8: malformed rows -----------------------------------------------------------------------------


def test_verify_and_replay_name_a_malformed_event_without_crashing(log_url: str, as_superuser: Execute) -> None:
    if log_url.startswith("postgresql"):
        as_superuser("""UPDATE events SET data = '"not an object"'::jsonb WHERE position = 3""")
    else:
        as_superuser("UPDATE events SET data = '{not json' WHERE position = 3")
    _one_line_exit_1(vigil(log_url, "verify"), "position 3", "malformed")
    _one_line_exit_1(vigil(log_url, "replay"), "position 3", "malformed")


def test_replay_names_an_event_whose_data_lacks_its_fields(log_url: str, as_superuser: Execute) -> None:
    cast = "::jsonb" if log_url.startswith("postgresql") else ""
    position = _first_position_of(log_url, "ItemStateChanged")
    as_superuser(f"UPDATE events SET data = '{{}}'{cast} WHERE position = {position}")
    _one_line_exit_1(vigil(log_url, "replay"), f"position {position}", "malformed")


def _first_position_of(url: str, event_type: str) -> int:
    store = open_pipeline_store(url)
    try:
        return next(e.position for e in store.read_all(types=[event_type]))
    finally:
        store.close()
