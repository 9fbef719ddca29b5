"""Projection tables (rebuilt from the log by ``vigil replay``) and the leases daemons coordinate with.

Times are stored as UTC ISO-8601 text in one format on both backends, so they compare as strings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_states",
        sa.Column("item", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text()),  # NULL: still the item's initial value (which the rules define)
        sa.Column("since", sa.Text()),  # publication time of the evidence that set the value
        sa.Column("changed_position", sa.BigInteger()),  # the ItemStateChanged that set it
        sa.Column("evidence_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("state", sa.Text(), nullable=False),  # the decision's full state (JSON)
    )
    op.create_table(
        "entries_seen",
        sa.Column("source", sa.Text(), primary_key=True),
        sa.Column("guid", sa.Text(), primary_key=True),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("first_position", sa.BigInteger(), nullable=False),
        sa.Column("last_position", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "source_status",
        sa.Column("source", sa.Text(), primary_key=True),
        sa.Column("last_polled_at", sa.Text()),
        sa.Column("last_success_at", sa.Text()),
        sa.Column("last_status", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("last_error_at", sa.Text()),
        sa.Column("problem", sa.Text()),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("entries_seen", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_poll", sa.Text()),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
    )
    op.create_table(
        "subscribers",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("urls", sa.Text(), nullable=False),  # JSON list, ${ENV} references unexpanded
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("min_severity", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),  # "rules" (declared in YAML) or "cli"
        sa.Column("added_position", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.Text(), primary_key=True),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.Text(), nullable=False),
        sa.Column("raised_position", sa.BigInteger(), nullable=False),
        sa.Column("trigger_position", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),  # pending | delivered | failed | abandoned | none
    )
    op.create_index("ix_alerts_rule_item", "alerts", ["rule", "item", "raised_at"])
    op.create_table(
        "deliveries",
        sa.Column("alert_id", sa.Text(), primary_key=True),
        sa.Column("subscriber", sa.Text(), primary_key=True),
        sa.Column("target_index", sa.Integer(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),  # as declared: ${ENV} references unexpanded
        sa.Column("target", sa.Text(), nullable=False),  # redacted, for display
        sa.Column("status", sa.Text(), nullable=False),  # pending | delivered | failed | abandoned
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text()),
        sa.Column("next_attempt", sa.Text()),
        sa.Column("delivered_at", sa.Text()),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_attempt"])
    # Not a projection: short-lived claims that keep two daemons from doing the same work at once.
    op.create_table(
        "leases",
        sa.Column("name", sa.Text(), primary_key=True),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("until", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in ("leases", "deliveries", "alerts", "subscribers", "source_status", "entries_seen",
                  "item_states"):
        op.drop_table(table)
