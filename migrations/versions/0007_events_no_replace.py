"""On SQLite, refuse an INSERT that would replace an event: ``INSERT OR REPLACE`` and ``REPLACE``.

SQLite's REPLACE conflict resolution deletes the row in the way without firing DELETE triggers (unless
``recursive_triggers`` is on, which an attacker's own connection leaves off), so the append-only triggers
of 0001 let an event be rewritten in place. A BEFORE INSERT trigger runs before conflict resolution:
refusing any insert whose position, or whose stream and version, is already taken closes that hole.
PostgreSQL has no REPLACE; its ``INSERT ... ON CONFLICT DO UPDATE`` fires the UPDATE trigger of 0001.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02
"""

from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Both probes are index lookups (the primary key and uq_events_stream_version).
    op.execute(
        "CREATE TRIGGER events_no_replace BEFORE INSERT ON events WHEN EXISTS ("
        "SELECT 1 FROM events WHERE position = NEW.position "
        "OR (stream_id = NEW.stream_id AND stream_version = NEW.stream_version)) "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only: replacing an event refused'); END"
    )


def downgrade() -> None:
    raise NotImplementedError("the event log's protections are never removed by a migration")
