"""Silences, acknowledgements and grouping: ``silences`` and ``rule_items`` (the silences projection's),
``acknowledgements`` (the alerting projection's), ``deliveries.silenced_by`` and ``deliveries.group_id``,
``subscribers.group_seconds``.

A silence (``vigil silence add``) keeps the deliveries of an item, of the items with a tag, or to one
subscriber from being sent until its end; a delivery it covers is recorded as silenced
(``AlertDeliverySilenced``) and its row names the silences in ``silenced_by``. ``rule_items`` holds the
items of the rules last recorded, with their tags, which tag silences match against. An acknowledgement
(``vigil ack``) marks the alerts of an item's current state as seen.

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-03
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0012"  # after 0013 (subscriber secrets) and 0012 (WebSub), landed first
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "silences",
        sa.Column("silence_id", sa.Text(), primary_key=True),
        sa.Column("matcher", sa.Text(), nullable=False),  # item | tag | subscriber
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("until", sa.Text(), nullable=False),  # ISO-8601 UTC
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("added_at", sa.Text(), nullable=False),
        sa.Column("expired_at", sa.Text(), nullable=True),  # ended early with `vigil silence expire`
        sa.Column("added_position", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "rule_items",
        sa.Column("item", sa.Text(), primary_key=True),
        sa.Column("tags", sa.Text(), nullable=False),  # JSON list
    )
    op.create_table(
        "acknowledgements",
        sa.Column("alert_id", sa.Text(), primary_key=True),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("acknowledged_at", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("silenced_by", sa.Text(), nullable=True))  # JSON list of silence ids
        # Deliveries sent together as one message (a subscriber's ``group:`` window): one id per group.
        batch.add_column(sa.Column("group_id", sa.Text(), nullable=True))
        # What a new alert's delivery may join: "<url index>:<subscriber>", with ":rule:<rule>" for a rule's window.
        batch.add_column(sa.Column("group_key", sa.Text(), nullable=True))
    op.create_index("ix_deliveries_group", "deliveries", ["group_id"])
    op.create_index("ix_deliveries_open_group", "deliveries", ["group_key", "status"])
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(sa.Column("group_seconds", sa.Float(), nullable=True))
        batch.add_column(sa.Column("digest", sa.Text(), nullable=True))  # JSON: at, tz, immediate, when_empty
    _fill_rule_items()


def _fill_rule_items() -> None:
    # A store upgraded in place records its rules again only when they change: fill ``rule_items`` from
    # the newest RulesLoaded, as the projection would have (a replay rebuilds the same rows).
    bind = op.get_bind()
    row = bind.execute(sa.text(
        "SELECT data FROM events WHERE event_type = 'RulesLoaded' ORDER BY position DESC LIMIT 1"
    )).first()
    if row is None:
        return
    data = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    specs = (data.get("extraction") or {}).get("items", {})
    rows = [{"item": item, "tags": json.dumps(list(specs.get(item, {}).get("tags", [])))} for item in data["items"]]
    if rows:
        bind.execute(sa.text("INSERT INTO rule_items (item, tags) VALUES (:item, :tags)"), rows)


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("digest")
        batch.drop_column("group_seconds")
    op.drop_index("ix_deliveries_open_group", "deliveries")
    op.drop_index("ix_deliveries_group", "deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("group_key")
        batch.drop_column("group_id")
        batch.drop_column("silenced_by")
    for table in ("acknowledgements", "rule_items", "silences"):
        op.drop_table(table)
