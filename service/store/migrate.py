"""Schema migrations with Alembic, configured from code: no alembic.ini is needed at run time."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from service.store.database import Database
from service.store.errors import SchemaTooNew

#: The migrations live beside the package, at the project's top level (see DESIGN.md's layout).
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

log = logging.getLogger("vigil.store")


def alembic_config(db: Database) -> Config:
    """An Alembic Config pointing at the project's migrations, for the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = db.engine
    return config


def current_revision(db: Database) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(db: Database) -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


def check_not_newer(db: Database) -> None:
    """Refuse a database migrated by a newer Vigil (its revision is unknown to this code)."""
    revision = current_revision(db)
    if revision is None:
        return
    script = ScriptDirectory.from_config(alembic_config(db))
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise SchemaTooNew(
            f"database {db.url} has schema revision {revision}, newer than this Vigil knows "
            f"(head {script.get_current_head()}); upgrade Vigil"
        )


def upgrade(db: Database) -> tuple[str | None, str | None]:
    """Apply every pending migration; returns (revision before, revision after)."""
    with db.backend.migration_lock(db.engine):
        check_not_newer(db)
        before = current_revision(db)
        if before != head_revision(db):
            command.upgrade(alembic_config(db), "head")
        after = current_revision(db)
        if after != before:
            log.info("schema upgraded from %s to %s", before or "empty", after)
        return before, after
