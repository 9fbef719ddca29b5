"""Subscriber URLs that hold a secret move out of the log: ``subscriber_secrets`` keeps them, and
``subscribers.shown`` keeps each subscriber's URLs as shown (redacted).

A ``SubscriberAdded`` event now records a literal URL that holds a secret (a token, a password, a webhook
path) as a reference, ``${VIGIL_SECRET_<id>}``, which delivery fills from ``subscriber_secrets`` at send
time, exactly as it fills ``${ENV}`` references from the environment. The table is not part of the log:
it is not hashed, not exported (unless ``vigil export --with-secrets``) and not rebuilt by a replay.

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriber_secrets",
        sa.Column("ref", sa.Text(), primary_key=True),
        sa.Column("url", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("shown", sa.Text(), nullable=True))  # JSON list; NULL: redact the urls


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("shown")
    op.drop_table("subscriber_secrets")
