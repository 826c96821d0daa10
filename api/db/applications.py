"""Data functions for applications. Keyword-only; they flush and the caller commits, except
`store_or_resolve`, which owns its transactions (the SQLite write lock, a retry on a taken number)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from api.db.models import Application, ApplicationItem, ApplicationTranscript, ApplicationVersion, utcnow
from api.db.sqlite import write_lock
from api.numbers import new_number

APPLICATION = Application.__table__
APPLICATION_ITEM = ApplicationItem.__table__
TRANSCRIPT = ApplicationTranscript.__table__


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
    conversation_turns: int | None = None,
    transcript: list[dict[str, str]] | None = None,
) -> Application:
    """Insert the application and one row per item with two Core statements on the tables (the ORM
    unit of work, and even ORM-enabled bulk inserts, cost more than the rest of a submission), and
    the conversation's transcript when the bot sent one; return a detached Application."""
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
        "conversation_turns": conversation_turns,
        "created_at": now,
        "updated_at": now,
    }
    conn = session.connection()
    app_id = conn.execute(APPLICATION.insert().returning(APPLICATION.c.id), values).scalar_one()
    items = _item_rows(app_id, plan, now, values)
    conn.execute(APPLICATION_ITEM.insert(), items)
    _keep_transcript(session, app_id, transcript, now)
    return Application(id=app_id, **values, version=1, items=[ApplicationItem(**row) for row in items])


def revise_application(
    session: Session,
    *,
    app: Application,
    answers: dict[str, Any],
    form_data: dict[str, Any],
    plan: dict[str, Any],
    request_hash: str,
    transcript: list[dict[str, str]] | None = None,
) -> Application:
    """A correction sent with the same idempotency key before review began: the next version of the
    same application (same number); the items follow the new plan, the transcript the conversation."""
    keep_version(session, app=app, replaced_by="revision")
    now = utcnow()
    app.answers, app.form_data, app.plan_snapshot = answers, form_data, plan
    app.phone, app.applicant_name = form_data.get("phone", ""), str(form_data.get("applicant_name", ""))
    app.request_hash, app.version, app.updated_at = request_hash, app.version + 1, now
    session.flush()
    conn = session.connection()
    conn.execute(delete(APPLICATION_ITEM).where(APPLICATION_ITEM.c.application_id == app.id))
    conn.execute(
        APPLICATION_ITEM.insert(),
        _item_rows(app.id, plan, now, {c: getattr(app, c) for c in ("status", "created_at", "scenario_id", "channel")}),
    )
    _keep_transcript(session, app.id, transcript, now, replace=True)
    session.expire(app, ["items"])
    return app


def keep_version(session: Session, *, app: Application, replaced_by: str) -> None:
    """Keep the application's current form as an earlier version before it is replaced."""
    session.add(
        ApplicationVersion(
            application_id=app.id,
            version=app.version,
            answers=dict(app.answers),
            form_data=dict(app.form_data),
            replaced_by=replaced_by,
        )
    )
    session.flush()


def previous_version(session: Session, *, app: Application) -> ApplicationVersion | None:
    stmt = (
        select(ApplicationVersion)
        .where(ApplicationVersion.application_id == app.id)
        .order_by(ApplicationVersion.version.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()


def _item_rows(app_id: int, plan: dict[str, Any], now: Any, application: dict[str, Any]) -> list[dict[str, Any]]:
    """The item rows of a plan, with the application's status, submission time, scenario and channel
    (from `application`) copied onto each (the staff queue reads a department's applications from
    them) and the first item of each department marked."""
    departments = [item["department"] for item in plan["items"]]
    return [
        {
            "application_id": app_id,
            "position": pos,
            "item_id": item["id"],
            "item_name": item["name"],
            "department": item["department"],
            "stage": item["stage"],
            "status": "pending",
            "updated_at": now,
            "application_status": application["status"],
            "application_created_at": application["created_at"],
            "scenario_id": application["scenario_id"],
            "channel": application["channel"],
            "department_first": departments.index(item["department"]) == pos,
        }
        for pos, item in enumerate(plan["items"])
    ]


def _keep_transcript(
    session: Session, app_id: int, transcript: list[dict[str, str]] | None, now: Any, *, replace: bool = False
) -> None:
    """The conversation as it stands at this submission (a revision's replaces the first's)."""
    if transcript:
        conn = session.connection()
        if replace:
            conn.execute(delete(TRANSCRIPT).where(TRANSCRIPT.c.application_id == app_id))
        conn.execute(TRANSCRIPT.insert(), {"application_id": app_id, "lines": transcript, "captured_at": now})


def transcript_of(session: Session, *, app: Application) -> list[dict[str, str]]:
    """The conversation captured when the application was submitted (masked), or []."""
    row = session.get(ApplicationTranscript, app.id)
    return list(row.lines) if row else []


def store_or_resolve(
    session: Session, idempotency_key: str, new_application: dict[str, Any] | None
) -> tuple[Application | None, str]:
    """Store a valid application, or resolve the key to the one it already made:
    (application, "created" | "replayed" | "revised" | "in_review").

    An invalid form (`new_application` None) only looks the key up: a replay must answer as the
    first time did, whatever changed since."""
    existing = get_by_key(session, idempotency_key=idempotency_key)
    if new_application is None:
        return existing, "replayed"
    if existing is None:
        session.rollback()  # hand the connection back while this request waits for the write lock
        for _ in range(5):  # a random number already taken today: draw another
            try:
                with write_lock(session.get_bind()):
                    app = create_application(session, number=new_number(dt.date.today()), **new_application)
                    session.commit()
                return app, "created"
            except IntegrityError:  # the key (a concurrent twin) or, rarely, the number was taken
                session.rollback()
                existing = get_by_key(session, idempotency_key=idempotency_key)
                if existing is not None:
                    break
        else:
            raise RuntimeError("could not draw a free application number")
    return _resolve(session, existing, new_application)


def _resolve(session: Session, existing: Application, new: dict[str, Any]) -> tuple[Application, str]:
    if existing.request_hash == new["request_hash"]:
        return existing, "replayed"
    if existing.status != "submitted":
        return existing, "in_review"
    with write_lock(session.get_bind()):
        app = revise_application(
            session,
            app=existing,
            answers=new["answers"],
            form_data=new["form_data"],
            plan=new["plan"],
            request_hash=new["request_hash"],
            transcript=new.get("transcript"),
        )
        session.commit()
    session.refresh(app, ["items"])
    return app, "revised"
