"""staff accounts and sessions, item decisions, the append-only audit trail, queue indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APPEND_ONLY_SQLITE = """
CREATE TRIGGER audit_event_no_{op} BEFORE {OP} ON audit_event
BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END
"""
_APPEND_ONLY_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$ LANGUAGE plpgsql
"""
_APPEND_ONLY_PG = """
CREATE TRIGGER audit_event_no_{op} BEFORE {OP} ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_user_username")),
    )
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_user.id"], name=op.f("fk_staff_session_user_id_staff_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_session_token_hash")),
    )
    op.create_index(op.f("ix_staff_session_user_id"), "staff_session", ["user_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("application_number", sa.String(length=32), nullable=True),
        sa.Column("target", sa.String(length=128), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("client", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_at"), "audit_event", ["at"])
    op.create_index(op.f("ix_audit_event_actor_id"), "audit_event", ["actor_id"])
    op.create_index(op.f("ix_audit_event_application_number"), "audit_event", ["application_number"])
    with op.batch_alter_table("application_item") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("correction_fields", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("application") as batch:
        batch.add_column(sa.Column("materials_received", sa.JSON(), nullable=True))
    op.create_index("ix_application_item_department_status", "application_item", ["department", "status"])
    # The queue: waiting time order within a status, and the filters by scenario and channel.
    op.create_index("ix_application_status_created_at", "application", ["status", "created_at"])
    op.create_index("ix_application_created_at", "application", ["created_at"])
    op.create_index("ix_application_channel", "application", ["channel"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_PG_FUNCTION)
        for name in ("update", "delete"):
            op.execute(_APPEND_ONLY_PG.format(op=name, OP=name.upper()))
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for name in ("update", "delete"):
            op.execute(_APPEND_ONLY_SQLITE.format(op=name, OP=name.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only() CASCADE")
    op.drop_index("ix_application_channel", "application")
    op.drop_index("ix_application_created_at", "application")
    op.drop_index("ix_application_status_created_at", "application")
    op.drop_index("ix_application_item_department_status", "application_item")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("materials_received")
    with op.batch_alter_table("application_item") as batch:
        batch.drop_column("decided_by")
        batch.drop_column("correction_fields")
        batch.drop_column("reason")
    op.drop_table("audit_event")
    op.drop_table("staff_session")
    op.drop_table("staff_user")
