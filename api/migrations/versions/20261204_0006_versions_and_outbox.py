"""earlier versions of corrected applications, the notification outbox, covering queue indexes,
validation failures per field

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_by", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_version_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_version")),
    )
    op.create_index(op.f("ix_application_version_application_id"), "application_version", ["application_id"])
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_number", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index(op.f("ix_notification_application_number"), "notification", ["application_number"])
    op.create_index(op.f("ix_notification_claimed_at"), "notification", ["claimed_at"])
    # Queue filters answered from indexes alone (bench/bench_queue.py: 100,000 applications).
    op.drop_index("ix_application_created_at", "application")
    op.drop_index("ix_application_channel", "application")
    op.create_index("ix_application_created_at_status", "application", ["created_at", "status"])
    op.create_index("ix_application_channel_status_created_at", "application", ["channel", "status", "created_at"])
    op.create_index(
        "ix_application_scenario_channel_status_created_at",
        "application",
        ["scenario_id", "channel", "status", "created_at"],
    )
    op.create_table(
        "validation_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_failure")),
    )
    op.create_index(op.f("ix_validation_failure_at"), "validation_failure", ["at"])
    op.create_index("ix_application_id_status_created_at", "application", ["id", "status", "created_at"])
    op.create_index(
        "ix_application_item_department_application_id", "application_item", ["department", "application_id"]
    )


def downgrade() -> None:
    op.drop_table("validation_failure")
    op.drop_index("ix_application_item_department_application_id", "application_item")
    op.drop_index("ix_application_id_status_created_at", "application")
    op.drop_index("ix_application_scenario_channel_status_created_at", "application")
    op.drop_index("ix_application_channel_status_created_at", "application")
    op.drop_index("ix_application_created_at_status", "application")
    op.create_index("ix_application_created_at", "application", ["created_at"])
    op.create_index("ix_application_channel", "application", ["channel"])
    op.drop_table("notification")
    op.drop_table("application_version")
