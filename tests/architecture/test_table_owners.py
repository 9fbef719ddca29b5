"""Each table has one owner, the store has one interface, and every command opens the store one way.

A walk of the source (not a run): SQL naming a table may appear only in its owning package; nothing
outside ``service/store`` touches the engine (``store.reading()`` and the store's read methods are the
way in); only ``service/cli/context.py`` opens a store for a command.
"""

from __future__ import annotations

import re
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "service"

#: table -> the package that owns it: its projection writes it, its reader modules read it.
OWNERS = {
    "events": "store",
    "checkpoints": "store",
    "leases": "store",
    "alerts": "alerting",
    "item_states": "state",
    "source_status": "sources",
    "entries_seen": "sources",
    "subscribers": "delivery",
    "deliveries": "delivery",
    "alert_status": "delivery",
    "subscriber_secrets": "delivery",
    "silences": "delivery",
    "rule_items": "delivery",
    "acknowledgements": "alerting",
}
_SQL_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|EXISTS)\s+([a-z_]+)\b")
_WRITE_TO_EVENTS = re.compile(r"\b(?:INTO|UPDATE|DELETE\s+FROM)\s+events\b")


def _sources() -> list[tuple[Path, str]]:
    return [(path, path.read_text(encoding="utf-8")) for path in sorted(SERVICE.rglob("*.py"))]


def _package(path: Path) -> str:
    return path.relative_to(SERVICE).parts[0]


def test_a_table_is_named_in_sql_only_by_the_package_that_owns_it() -> None:
    strays = [
        f"{path.relative_to(SERVICE.parent)}:{source.count(chr(10), 0, match.start()) + 1}: "
        f"{match.group(1)} belongs to {OWNERS[match.group(1)]}"
        for path, source in _sources()
        for match in _SQL_TABLE.finditer(source)
        if match.group(1) in OWNERS and _package(path) != OWNERS[match.group(1)]
    ]
    assert strays == []


def test_only_the_recorder_writes_events() -> None:
    writers = {str(path.relative_to(SERVICE)) for path, source in _sources() if _WRITE_TO_EVENTS.search(source)}
    # Transaction.append and Transaction.append_recorded (import) take their INSERT from the backends.
    assert writers <= {"store/sqlite.py", "store/postgres.py", "store/recorder.py"}, writers


def test_nothing_outside_the_store_touches_its_engine() -> None:
    touching = [str(path.relative_to(SERVICE)) for path, source in _sources()
                if _package(path) != "store" and re.search(r"\.engine\b", source)]
    assert touching == []


def test_every_command_opens_the_store_through_one_context_manager() -> None:
    openers = [str(path.relative_to(SERVICE)) for path, source in _sources()
               if _package(path) == "cli" and re.search(r"\bopen_(pipeline_)?store\(", source)]
    assert openers == ["cli/context.py"]


#: Where SQLite and PostgreSQL may differ: the two backends, the factory that picks one from the URL and
#: the driver-level SQL that finds a connection's backend.
_BACKEND_MODULES = {"store/sqlite.py", "store/postgres.py", "store/database.py", "store/driver_sql.py"}
_DIALECT_SPECIFIC = re.compile(
    r"dialect\.name|get_backend_name\(|backend\.name\b|\bpg_[a-z_]+\(|PRAGMA|CREATE SCHEMA|search_path|BEGIN IMMEDIATE"
)


def test_nothing_outside_the_backends_branches_on_the_dialect_or_speaks_its_sql() -> None:
    strays = [
        f"{path.relative_to(SERVICE)}:{source.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for path, source in _sources()
        if str(path.relative_to(SERVICE)) not in _BACKEND_MODULES
        for match in _DIALECT_SPECIFIC.finditer(source)
    ]
    assert strays == []
