"""Submitting an application (idempotent) and the citizen's status lookup."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import applications as crud
from api.db.models import Application
from api.db.session import run_db, write_lock
from api.deps import CatalogDep, DbSession
from api.engine.form_check import check_form
from api.engine.plan import AnswersInvalid, compute_plan
from api.errors import ApiError
from api.settings import settings
from api.statuses import APPLICATION_STATUSES, ITEM_STATUSES
from api.validation.identity import validate_phone

router = APIRouter(prefix="/applications", tags=["applications"])

NOT_FOUND_MESSAGE = "没有查到这个受理编号，或手机号与申请时填写的不一致，请核对后重试。"


class ApplicationCreate(BaseModel):
    scenario_id: str = Field(max_length=64)
    answers: dict[str, Any] = Field(default_factory=dict, max_length=50)
    form_data: dict[str, Any] = Field(default_factory=dict, max_length=200)
    channel: Literal["web", "mobile", "kiosk"] = "web"
    conversation_id: str | None = Field(default=None, max_length=128)


def application_view(app: Application) -> dict[str, Any]:
    return {
        "number": app.number,
        "status": app.status,
        "status_label": APPLICATION_STATUSES.get(app.status, app.status),
        "scenario_id": app.scenario_id,
        "scenario_name": app.plan_snapshot.get("scenario_name", app.scenario_id),
        "created_at": app.created_at.isoformat() if app.created_at else None,
        "updated_at": app.updated_at.isoformat() if app.updated_at else None,
        "items": [
            {
                "id": it.item_id,
                "name": it.item_name,
                "department": it.department,
                "stage": it.stage,
                "status": it.status,
                "status_label": ITEM_STATUSES.get(it.status, it.status),
            }
            for it in app.items
        ],
    }


def _request_hash(body: ApplicationCreate) -> str:
    canonical = json.dumps(body.model_dump(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(existing: Application, request_hash: str, response: Response) -> dict[str, Any]:
    if existing.request_hash != request_hash:
        raise ApiError(
            409,
            "idempotency_conflict",
            "同一个提交编号已用于另一份不同的申请，请刷新后重新提交。",
            {"number": existing.number},
        )
    response.status_code = 200
    return {**application_view(existing), "replayed": True}


@router.post("", status_code=201)
async def submit_application(
    body: ApplicationCreate,
    session: DbSession,
    catalog: CatalogDep,
    response: Response,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=128)],
) -> dict[str, Any]:
    """Submit one merged form; the same Idempotency-Key and body always give the same application."""
    request_hash = _request_hash(body)
    scenario = catalog.scenarios.get(body.scenario_id)
    if scenario is None:
        raise ApiError(404, "scenario_not_found", f"没有找到场景“{body.scenario_id}”。")
    try:
        plan = compute_plan(scenario, body.answers, catalog)
    except AnswersInvalid as exc:
        raise ApiError(
            422, "answers_invalid", "部分引导问题的回答没有看懂，请修改后重试。", {"questions": exc.errors}
        ) from None
    data, errors = check_form(plan, body.form_data, catalog)
    new_application = None
    if not errors:
        new_application = {
            "scenario_id": scenario.id,
            "answers": plan["answers"],
            "form_data": data,
            "plan": {k: plan[k] for k in ("scenario_name", "items", "stages", "materials", "saving")},
            "channel": body.channel,
            "conversation_id": body.conversation_id,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
        }
    app, replayed = await run_db(session, _store_or_replay, session, idempotency_key, new_application)
    if app is None:
        raise ApiError(422, "form_invalid", f"申请表有{len(errors)}项需要修改，其余内容已保留。", {"fields": errors})
    if replayed:
        return _replay(app, request_hash, response)
    return {**application_view(app), "replayed": False}


def _store_or_replay(
    session: Session, idempotency_key: str, new_application: dict[str, Any] | None
) -> tuple[Application | None, bool]:
    """Store a valid application, or find the one this key already made: (application, replayed).

    An invalid form (`new_application` None) only looks the key up: a replay must answer as the
    first time did, whatever changed since."""
    if new_application is None:
        return crud.get_by_key(session, idempotency_key=idempotency_key), True
    try:
        with write_lock(session.get_bind()):
            number = crud.next_number(session, prefix=settings.NUMBER_PREFIX, today=dt.date.today())
            app = crud.create_application(session, number=number, **new_application)
            session.commit()
    except IntegrityError:  # the key was used before (a retry, or a concurrent twin): replay
        session.rollback()
        existing = crud.get_by_key(session, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return existing, True
    return app, False


@router.get("/{number}")
def read_application_status(
    number: str, session: DbSession, phone: Annotated[str, Query(max_length=32)] = ""
) -> dict[str, Any]:
    """Status with per-item progress; a wrong phone gets the same answer as an unknown number."""
    checked = validate_phone(phone) if phone else None
    app = crud.get_by_number(session, number=number.strip().upper()[:32])
    if app is None or checked is None or not checked.valid or checked.value != app.phone:
        raise ApiError(404, "application_not_found", NOT_FOUND_MESSAGE)
    return application_view(app)
