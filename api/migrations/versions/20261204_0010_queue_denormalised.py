"""a department's queue from one index: the application's status, submission time, scenario and
channel copied onto its items, and which item is the application's first of its department

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain SQL both SQLite and PostgreSQL run: correlated subqueries on the application and on the
# other items of the same application (indexes on application.id and application_item.application_id).
BACKFILL = """
UPDATE application_item SET
    application_status = (SELECT a.status FROM application a WHERE a.id = application_item.application_id),
    application_created_at = (SELECT a.created_at FROM application a WHERE a.id = application_item.application_id),
    scenario_id = (SELECT a.scenario_id FROM application a WHERE a.id = application_item.application_id),
    channel = (SELECT a.channel FROM application a WHERE a.id = application_item.application_id),
    department_first = (
        application_item.position = (
            SELECT min(b.position) FROM application_item b
            WHERE b.application_id = application_item.application_id AND b.department = application_item.department
        )
    )
"""


def upgrade() -> None:
    with op.batch_alter_table("application_item") as batch:
        batch.add_column(sa.Column("application_status", sa.String(length=24), nullable=True))
        batch.add_column(sa.Column("application_created_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("scenario_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("department_first", sa.Boolean(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("application_item") as batch:
        batch.alter_column("application_status", existing_type=sa.String(length=24), nullable=False)
        batch.alter_column("application_created_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("scenario_id", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("channel", existing_type=sa.String(length=16), nullable=False)
        batch.alter_column("department_first", existing_type=sa.Boolean(), nullable=False)
    op.create_index(
        "ix_application_item_queue_by_status",
        "application_item",
        [
            "department",
            "department_first",
            "application_status",
            "application_created_at",
            "application_id",
            "scenario_id",
            "channel",
        ],
    )
    op.create_index(
        "ix_application_item_queue_by_date",
        "application_item",
        [
            "department",
            "department_first",
            "application_created_at",
            "application_id",
            "application_status",
            "scenario_id",
            "channel",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_application_item_queue_by_date", "application_item")
    op.drop_index("ix_application_item_queue_by_status", "application_item")
    with op.batch_alter_table("application_item") as batch:
        batch.drop_column("department_first")
        batch.drop_column("channel")
        batch.drop_column("scenario_id")
        batch.drop_column("application_created_at")
        batch.drop_column("application_status")
