"""Indexes for reading the newest alerts, of all items or of one, without sorting the whole table.

`vigil alerts`, `GET /api/alerts`, the dashboard and the Atom feed all ask for the newest few alerts
(``ORDER BY raised_position DESC LIMIT n``); without an index each request sorted every alert ever
raised, so it cost more the longer Vigil had run.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_raised_position", "alerts", ["raised_position"])
    op.create_index("ix_alerts_item_raised_position", "alerts", ["item", "raised_position"])


def downgrade() -> None:
    op.drop_index("ix_alerts_item_raised_position", "alerts")
    op.drop_index("ix_alerts_raised_position", "alerts")
