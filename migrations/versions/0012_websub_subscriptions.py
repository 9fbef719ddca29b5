"""WebSub subscriptions, and the selector a page source's validators were earned under.

``websub_subscriptions``: which hub each ``websub: true`` source is subscribed to, with which secret.

The secret signs the hub's content pings (X-Hub-Signature). It is not a fact and must not reach the log:
like leases, the table is operational state, not a projection, not hashed, not exported and not rebuilt
by a replay. Losing it costs one new subscription.

``source_status.selector`` (projected from ``SourcePolled`` v2): a page whose selector changed is fetched
without validators, so blocks the new selector matches are read even if the page did not change.

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0013"  # 0013 (subscriber secrets) is already on main
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "websub_subscriptions",
        sa.Column("source", sa.Text(), primary_key=True),
        sa.Column("token", sa.Text(), nullable=False, unique=True),  # the callback URL's last segment
        sa.Column("hub", sa.Text(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),  # requested, verified, failed, denied
        sa.Column("requested_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),  # why it failed or was denied
    )


    with op.batch_alter_table("source_status") as batch:
        batch.add_column(sa.Column("selector", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_status") as batch:
        batch.drop_column("selector")
    op.drop_table("websub_subscriptions")
