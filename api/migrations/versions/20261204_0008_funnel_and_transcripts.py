"""the conversation funnel (turns, scenario, furthest step per chat session; turns per application)
and the transcript captured at submission

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_session") as batch:
        batch.add_column(sa.Column("turns", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("scenario_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("progress", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("conversation_turns", sa.Integer(), nullable=True))
    op.create_table(
        "application_transcript",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_transcript_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_application_transcript")),
    )


def downgrade() -> None:
    op.drop_table("application_transcript")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("conversation_turns")
    with op.batch_alter_table("chat_session") as batch:
        batch.drop_column("progress")
        batch.drop_column("scenario_id")
        batch.drop_column("turns")
