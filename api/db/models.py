"""Database models (SQLAlchemy 2 typed declarative)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[str]: JSON,
        dt.datetime: DateTime(timezone=True),
    }


class Application(Base):
    """One submitted 一件事 application (受理), with a snapshot of the plan it was made against."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(24), default="submitted", index=True)
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str | None] = mapped_column(String(128), index=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    applicant_name: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]]
    form_data: Mapped[dict[str, Any]]
    plan_snapshot: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # +1 per correction
    materials_received: Mapped[list[str] | None] = mapped_column(default=None)  # ticked by the officer
    conversation_turns: Mapped[int | None] = mapped_column(default=None)  # the citizen's messages until submitted
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now(), onupdate=utcnow)

    items: Mapped[list[ApplicationItem]] = relationship(
        back_populates="application", order_by="ApplicationItem.position", cascade="all, delete-orphan"
    )

    # The staff queue: each filter, the counts per status and the waiting-time order answered from an
    # index without reading the rows (their JSON columns are large); bench/bench_queue.py.
    __table_args__ = (
        Index("ix_application_status_created_at", "status", "created_at"),
        Index("ix_application_created_at_status", "created_at", "status"),
        Index("ix_application_channel_status_created_at", "channel", "status", "created_at"),
        Index("ix_application_scenario_channel_status_created_at", "scenario_id", "channel", "status", "created_at"),
        # a reviewer's queue: status and date of the applications their departments' items name
        Index("ix_application_id_status_created_at", "id", "status", "created_at"),
    )


class ApplicationItem(Base):
    """The progress of one 事项 inside an application."""

    __tablename__ = "application_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[str] = mapped_column(String(64))
    item_name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(200))
    stage: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    # The last decision's reason (不予受理/不予许可) or correction request (补正: fields and message).
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    correction_fields: Mapped[list[str] | None] = mapped_column(default=None)
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    # A reviewer a supervisor assigned the item to (改派): they may decide it whatever their departments.
    assignee: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now(), onupdate=utcnow)
    # Copies for a department's queue, read from an index alone (api/db/review_queue.py): the
    # application's status, submission time, scenario and channel, and whether this is the
    # application's first item of its department (one entry per application and department).
    # Written only by api/db/applications.py (_item_rows) and api/review/transitions.py (settle_status).
    application_status: Mapped[str] = mapped_column(String(24))
    application_created_at: Mapped[dt.datetime]
    scenario_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    department_first: Mapped[bool] = mapped_column(Boolean)

    application: Mapped[Application] = relationship(back_populates="items")

    __table_args__ = (
        Index("ix_application_item_department_status", "department", "status"),
        Index("ix_application_item_department_application_id", "department", "application_id"),
        Index(
            "ix_application_item_queue_by_status",
            "department",
            "department_first",
            "application_status",
            "application_created_at",
            "application_id",
            "scenario_id",
            "channel",
        ),
        Index(
            "ix_application_item_queue_by_date",
            "department",
            "department_first",
            "application_created_at",
            "application_id",
            "application_status",
            "scenario_id",
            "channel",
        ),
    )


class NluMiss(Base):
    """A message the bot did not understand, kept for NLU trainers (sender hashed)."""

    __tablename__ = "nlu_miss"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    sender_hash: Mapped[str] = mapped_column(String(64), index=True)
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    # The trainer inbox (api/trainer_inbox): why it came in, what the bot thought and said, and where.
    kind: Mapped[str] = mapped_column(String(16), default="fallback", server_default="fallback", index=True)
    ranking: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    scenario: Mapped[str | None] = mapped_column(String(64))
    requested_slot: Mapped[str | None] = mapped_column(String(64))
    active_loop: Mapped[str | None] = mapped_column(String(64))
    reply: Mapped[str | None] = mapped_column(Text)
    turn_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_group.id", ondelete="SET NULL"), index=True)


class InboxGroup(Base):
    """Near-duplicate not-understood messages, and what a trainer made of them:
    new → labelled → exported, or ignored."""

    __tablename__ = "inbox_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    norm_text: Mapped[str] = mapped_column(String(500), index=True)
    text: Mapped[str] = mapped_column(Text)  # the first example, masked: the one a trainer annotates
    state: Mapped[str] = mapped_column(String(16), default="new", index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str | None] = mapped_column(String(16))  # intent | out_of_scope | new_scenario
    intent: Mapped[str | None] = mapped_column(String(64))
    entities: Mapped[list[Any] | None] = mapped_column(JSON, default=None)  # [{start, end, entity}]
    note: Mapped[str | None] = mapped_column(Text)
    labelled_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    exported_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ChatSession(Base):
    """A citizen's chat session, issued by the server: the browser holds only a random token (its
    hash is stored here); Rasa's conversation id is another random value the client never sees."""

    __tablename__ = "chat_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # How far the conversation got, for the supervisors' funnel (api/db/funnel.py): messages the citizen
    # sent, the scenario found, and the furthest step the bot reported
    turns: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    scenario_id: Mapped[str | None] = mapped_column(String(64), default=None)
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PurgedCount(Base):
    """What the retention command keeps of purged applications: anonymous counts per month."""

    __tablename__ = "purged_count"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # 2026-11
    scenario_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    applications: Mapped[int] = mapped_column(Integer, default=0)


class StaffUser(Base):
    """An officer, supervisor, trainer or administrator. Passwords are argon2 hashes (pwdlib)."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    departments: Mapped[list[str]] = mapped_column(default=list)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StaffSession(Base):
    """A signed-in staff browser: the cookie holds a random token (its keyed hash is stored), and
    every form and unsafe request carries the session's CSRF token."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)

    user: Mapped[StaffUser] = relationship()


class AuditEvent(Base):
    """Append-only: every staff action, reveal, login and failed login — who, when, what, before and
    after. The database refuses UPDATE and DELETE on this table (triggers, migration 0005)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(48))
    application_number: Mapped[str | None] = mapped_column(String(32), index=True)
    target: Mapped[str | None] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    client: Mapped[str | None] = mapped_column(String(64))


class ApplicationVersion(Base):
    """An earlier version of an application's form, kept when a correction (补正, or a revision before
    review) replaces it, so the reviewer sees what changed."""

    __tablename__ = "application_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]]
    form_data: Mapped[dict[str, Any]]
    replaced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    replaced_by: Mapped[str] = mapped_column(String(24))  # revision | correction


class ApplicationTranscript(Base):
    """The conversation as it stood when the application was submitted, masked, for the reviewer."""

    __tablename__ = "application_transcript"

    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    lines: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{"from": "user" | "bot", "text": ...}]
    captured_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Notification(Base):
    """The outbox: a message to a citizen, written in the transaction of the change it reports and
    sent once by `python -m api.notify` (claimed before sending, so two senders never both send it)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_number: Mapped[str] = mapped_column(String(32), index=True)
    recipient: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class ValidationFailure(Base):
    """One answer a field's validator refused (no value kept): which fields citizens struggle with."""

    __tablename__ = "validation_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    field_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
