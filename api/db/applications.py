"""Data functions for applications. Keyword-only; they flush, the caller commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from api.db.models import Application, ApplicationItem, DailySequence, NluMiss, utcnow

APPLICATION = Application.__table__
APPLICATION_ITEM = ApplicationItem.__table__


def next_number(session: Session, *, prefix: str, today: dt.date) -> str:
    """Allocate the next 受理编号 of the day atomically (one upsert … RETURNING)."""
    day = today.strftime("%Y%m%d")
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(DailySequence)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": DailySequence.last + 1})
        .returning(DailySequence.last)
    )
    seq = session.execute(stmt).scalar_one()
    return f"{prefix}{day}{seq:05d}"


def get_by_key(session: Session, *, idempotency_key: str) -> Application | None:
    stmt = (
        select(Application)
        .where(Application.idempotency_key == idempotency_key)
        .options(selectinload(Application.items))
    )
    return session.scalars(stmt).one_or_none()


def get_by_number(session: Session, *, number: str) -> Application | None:
    stmt = select(Application).where(Application.number == number).options(selectinload(Application.items))
    return session.scalars(stmt).one_or_none()


def create_application(
    session: Session,
    *,
    number: str,
    scenario_id: str,
    answers: dict[str, Any],
    form_data: dict[str, Any],
    plan: dict[str, Any],
    channel: str,
    conversation_id: str | None,
    idempotency_key: str,
    request_hash: str,
) -> Application:
    """Insert the application and one row per item with two Core statements on the tables (the ORM
    unit of work, and even ORM-enabled bulk inserts, cost more than the rest of a submission);
    return a detached Application describing them."""
    now = utcnow()
    values = {
        "number": number,
        "scenario_id": scenario_id,
        "status": "submitted",
        "channel": channel,
        "conversation_id": conversation_id,
        "phone": form_data.get("phone", ""),
        "applicant_name": str(form_data.get("applicant_name", "")),
        "answers": answers,
        "form_data": form_data,
        "plan_snapshot": plan,
        "idempotency_key": idempotency_key,
        "request_hash": request_hash,
        "created_at": now,
        "updated_at": now,
    }
    conn = session.connection()
    app_id = conn.execute(APPLICATION.insert().returning(APPLICATION.c.id), values).scalar_one()
    items = [
        {
            "application_id": app_id,
            "position": pos,
            "item_id": item["id"],
            "item_name": item["name"],
            "department": item["department"],
            "stage": item["stage"],
            "status": "pending",
            "updated_at": now,
        }
        for pos, item in enumerate(plan["items"])
    ]
    conn.execute(APPLICATION_ITEM.insert(), items)
    return Application(id=app_id, **values, items=[ApplicationItem(**row) for row in items])


def record_miss(
    session: Session, *, text: str, sender_hash: str, intent: str | None, confidence: float | None
) -> NluMiss:
    miss = NluMiss(text=text, sender_hash=sender_hash, intent=intent, confidence=confidence)
    session.add(miss)
    session.flush()
    return miss
