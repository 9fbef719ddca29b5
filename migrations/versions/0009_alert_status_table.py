"""An alert's overall delivery status moves from ``alerts.status`` to ``alert_status``, the delivery
projection's own table.

Two projections wrote ``alerts`` (the alerting projection inserted the row, the delivery projection
updated its status), in an order only a comment kept. Now each table has one writer: the alerting
projection writes ``alerts``, the delivery projection writes ``subscribers``, ``deliveries`` and
``alert_status`` (the worst of an alert's deliveries' statuses, ``none`` when nobody was to hear of it).
The values are carried over as they are.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_status",
        sa.Column("alert_id", sa.Text(), primary_key=True),
        sa.Column("status", sa.Text(), nullable=False),  # pending | delivered | failed | abandoned | none
    )
    op.execute("INSERT INTO alert_status (alert_id, status) SELECT alert_id, status FROM alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("status")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("status", sa.Text(), nullable=False, server_default="none"))
    op.execute(
        "UPDATE alerts SET status = COALESCE((SELECT s.status FROM alert_status s WHERE s.alert_id = alerts.alert_id), "
        "'none')"
    )
    op.drop_table("alert_status")
