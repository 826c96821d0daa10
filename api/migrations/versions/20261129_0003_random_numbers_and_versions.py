"""application numbers no longer sequential (daily counter dropped); versions of an application

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.drop_table("daily_sequence")


def downgrade() -> None:
    op.create_table(
        "daily_sequence",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_daily_sequence")),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_column("version")
