"""anonymous counts of purged applications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purged_count",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "scenario_id", "channel", "status", name=op.f("pk_purged_count")),
    )


def downgrade() -> None:
    op.drop_table("purged_count")
