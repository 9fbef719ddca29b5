"""Each table has one owner, the store has one interface, and every command opens the store one way.

A walk of the source (not a run): SQL naming a table may appear only in its one writer (the owning
projection) and its reader modules; SQL on a table given as a value only in the store's ``Projection``
(a replay clearing a projection's own tables); backend SQL only in the backends; nothing
outside ``service/store`` touches the engine (``store.reading()`` and the store's read methods are the
way in); only ``service/cli/context.py`` opens a store for a command.
"""

from __future__ import annotations

import re
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"

#: table -> (its one writer, the modules that read it): the owning projection writes it, and its reader
#: modules are where everyone else reads it through. The one list, mirrored in docs/architecture.md.
OWNERS: dict[str, tuple[str, frozenset[str]]] = {
    "events": (
        "store/recorder.py",
        # pg_listener reads the newest position once it listens (what committed before wakes waiters too).
        frozenset({"store/backend.py", "store/sqlite.py", "store/postgres.py", "store/pg_listener.py"}),
    ),
    "checkpoints": ("store/recorder.py", frozenset()),
    "leases": ("store/leases.py", frozenset()),
    "alerts": ("alerting/projection.py", frozenset({"alerting/reads.py"})),
    "item_states": ("state/projection.py", frozenset({"state/report.py"})),
    # The poller reads a source's conditional-request headers and the entries it has seen before.
    "source_status": ("sources/projection.py", frozenset({"sources/health.py", "sources/poller.py"})),
    "entries_seen": ("sources/projection.py", frozenset({"sources/poller.py"})),
    # secret_urls forgets a sealed URL once no subscriber or pending delivery names it.
    "subscribers": ("delivery/projection.py", frozenset({"delivery/route.py", "delivery/secret_urls.py"})),
    "deliveries": ("delivery/projection.py",
                   frozenset({"delivery/due.py", "delivery/status.py", "delivery/secret_urls.py"})),
    "alert_status": ("delivery/projection.py", frozenset({"delivery/status.py"})),
    "subscriber_secrets": ("delivery/secret_urls.py", frozenset()),
    "silences": ("delivery/silence_projection.py", frozenset({"delivery/silences.py"})),
    "rule_items": ("delivery/silence_projection.py", frozenset({"delivery/silences.py"})),
    "acknowledgements": ("alerting/acknowledgements.py", frozenset()),
    # Not a projection: the hub's secret lives here and never in the log; health shows where it stands.
    "websub_subscriptions": ("sources/websub_subscriptions.py", frozenset({"sources/health.py"})),
}
_SQL_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|EXISTS)\s+([a-z_]+)\b")
_SQL_WRITE = re.compile(r"\b(?:INTO|UPDATE|DELETE\s+FROM)\s+([a-z_]+)\b")
_WRITE_TO_EVENTS = re.compile(r"\b(?:INTO|UPDATE|DELETE\s+FROM)\s+events\b")
#: SQL whose table is a value (``f"DELETE FROM {table}"``): only the store's Projection, on its own tables.
_SQL_ANY_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE)\s+\{")


def _sources() -> list[tuple[Path, str]]:
    return [(path, path.read_text(encoding="utf-8")) for path in sorted(SERVICE.rglob("*.py"))]


def _module(path: Path) -> str:
    return str(path.relative_to(SERVICE))


def _package(path: Path) -> str:
    return path.relative_to(SERVICE).parts[0]


def _line(source: str, match: re.Match[str]) -> int:
    return source.count("\n", 0, match.start()) + 1


def test_a_table_is_named_in_sql_only_by_its_writer_and_its_reader_modules() -> None:
    strays = [
        f"{_module(path)}:{_line(source, match)}: {match.group(1)} is read in {sorted(readers | {writer})}"
        for path, source in _sources()
        for match in _SQL_TABLE.finditer(source)
        if match.group(1) in OWNERS
        for writer, readers in [OWNERS[match.group(1)]]
        if _module(path) not in readers | {writer}
    ]
    assert strays == []


def test_a_table_has_one_writer() -> None:
    writes = [
        f"{_module(path)}:{_line(source, match)}: {match.group(1)} is written by {OWNERS[match.group(1)][0]}"
        for path, source in _sources()
        for match in _SQL_WRITE.finditer(source)
        if match.group(1) in OWNERS and match.group(1) != "events"
        and _module(path) != OWNERS[match.group(1)][0]
    ]
    assert writes == []


def test_sql_on_any_table_is_only_the_projection_clearing_and_reading_its_own() -> None:
    strays = [f"{_module(path)}:{_line(source, match)}" for path, source in _sources()
              for match in _SQL_ANY_TABLE.finditer(source) if _module(path) != "store/projection.py"]
    assert strays == []


def test_only_the_recorder_writes_events() -> None:
    writers = {_module(path) for path, source in _sources() if _WRITE_TO_EVENTS.search(source)}
    # Transaction.append and Transaction.append_recorded (import) take their INSERT from the backends.
    assert writers <= {"store/sqlite.py", "store/postgres.py", "store/recorder.py"}, writers


def test_nothing_outside_the_store_touches_its_engine() -> None:
    touching = [_module(path) for path, source in _sources()
                if _package(path) != "store" and re.search(r"\.engine\b", source)]
    assert touching == []


def test_every_command_opens_the_store_through_one_context_manager() -> None:
    openers = [_module(path) for path, source in _sources()
               if _package(path) == "cli" and re.search(r"\bopen_(pipeline_)?store\(", source)]
    assert openers == ["cli/context.py"]


#: Where SQLite and PostgreSQL may differ: the two backends (and PostgreSQL's listener), the factory that
#: picks one from the URL and the driver-level SQL that finds a connection's backend.
_BACKEND_MODULES = {
    "store/sqlite.py", "store/postgres.py", "store/pg_listener.py", "store/database.py", "store/driver_sql.py"
}
_DIALECT_SPECIFIC = re.compile(
    r"dialect\.name|get_backend_name\(|backend\.name\b|\bpg_[a-z_]+\(|PRAGMA|CREATE SCHEMA|search_path|BEGIN IMMEDIATE"
)


def test_nothing_outside_the_backends_branches_on_the_dialect_or_speaks_its_sql() -> None:
    strays = [
        f"{_module(path)}:{_line(source, match)}: {match.group(0)}"
        for path, source in _sources()
        if _module(path) not in _BACKEND_MODULES
        for match in _DIALECT_SPECIFIC.finditer(source)
    ]
    assert strays == []
