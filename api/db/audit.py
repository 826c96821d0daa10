"""The audit trail: appended here and nowhere else. There is no update or delete function, and the
database refuses both (triggers in migration 0005)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import AuditEvent, StaffUser


def record(
    session: Session,
    *,
    actor: StaffUser | None,
    action: str,
    actor_name: str = "",
    application_number: str | None = None,
    target: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    client: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else actor_name[:64],
        action=action,
        application_number=application_number,
        target=target,
        before=before,
        after=after,
        client=(client or "")[:64] or None,
    )
    session.add(event)
    session.flush()
    return event


def for_application(session: Session, *, number: str, limit: int = 500) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.application_number == number).order_by(AuditEvent.id).limit(limit)
    return list(session.scalars(stmt))


def for_user(session: Session, *, user_id: int, limit: int = 500) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.actor_id == user_id).order_by(AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(stmt))
