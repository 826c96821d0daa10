"""the trainer inbox: groups of near-duplicate misses, and what each miss came with

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"  # re-chained after 0008 at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inbox_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("norm_text", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=16), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("labelled_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_group")),
    )
    op.create_index(op.f("ix_inbox_group_norm_text"), "inbox_group", ["norm_text"])
    op.create_index(op.f("ix_inbox_group_state"), "inbox_group", ["state"])
    op.create_index(op.f("ix_inbox_group_updated_at"), "inbox_group", ["updated_at"])
    with op.batch_alter_table("nlu_miss") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), server_default="fallback", nullable=False))
        batch.add_column(sa.Column("ranking", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("scenario", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("requested_slot", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("active_loop", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reply", sa.Text(), nullable=True))
        batch.add_column(sa.Column("turn_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_nlu_miss_turn_key"), ["turn_key"])
        batch.create_foreign_key(
            batch.f("fk_nlu_miss_group_id_inbox_group"), "inbox_group", ["group_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index(batch.f("ix_nlu_miss_kind"), ["kind"])
        batch.create_index(batch.f("ix_nlu_miss_group_id"), ["group_id"])


def downgrade() -> None:
    with op.batch_alter_table("nlu_miss") as batch:
        batch.drop_index(batch.f("ix_nlu_miss_group_id"))
        batch.drop_index(batch.f("ix_nlu_miss_kind"))
        batch.drop_constraint(batch.f("fk_nlu_miss_group_id_inbox_group"), type_="foreignkey")
        batch.drop_constraint(batch.f("uq_nlu_miss_turn_key"), type_="unique")
        for column in ("group_id", "turn_key", "reply", "active_loop", "requested_slot", "scenario", "ranking", "kind"):
            batch.drop_column(column)
    op.drop_index(op.f("ix_inbox_group_updated_at"), "inbox_group")
    op.drop_index(op.f("ix_inbox_group_state"), "inbox_group")
    op.drop_index(op.f("ix_inbox_group_norm_text"), "inbox_group")
    op.drop_table("inbox_group")
