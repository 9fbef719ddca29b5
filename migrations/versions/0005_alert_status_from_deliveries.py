"""``alerts`` loses its ``status`` column: an alert's status is derived from its deliveries when read.

Two projections wrote ``alerts`` (the alerting projection inserted the row, the delivery projection
updated its status), in an order only a comment kept. Now the alerting projection alone writes
``alerts`` and the delivery projection alone writes ``deliveries``; ``vigil alerts``, the dashboard and
the metrics derive an alert's status (the worst of its deliveries', ``none`` without any) from
``deliveries``. Nothing is lost: the column only ever held that derivation.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_DERIVED = (
    "UPDATE alerts SET status = COALESCE(("
    "SELECT CASE MAX(CASE d.status WHEN 'abandoned' THEN 4 WHEN 'failed' THEN 3 WHEN 'pending' THEN 2 ELSE 1 END) "
    "WHEN 4 THEN 'abandoned' WHEN 3 THEN 'failed' WHEN 2 THEN 'pending' WHEN 1 THEN 'delivered' END "
    "FROM deliveries d WHERE d.alert_id = alerts.alert_id), 'none')"
)


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("status")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("status", sa.Text(), nullable=False, server_default="none"))
    op.execute(_DERIVED)
