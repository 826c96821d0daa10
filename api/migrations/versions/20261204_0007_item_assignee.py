"""an item's assignee (a supervisor's reassignment)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("application_item") as batch:
        batch.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_application_item_assignee"), "application_item", ["assignee"])


def downgrade() -> None:
    op.drop_index(op.f("ix_application_item_assignee"), "application_item")
    with op.batch_alter_table("application_item") as batch:
        batch.drop_column("assignee")
