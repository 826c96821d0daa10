"""Submitting an application (idempotent), the citizen's status lookup and their corrections (补正)."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.catalog.loader import Catalog
from api.db import applications as crud
from api.db import chat_sessions
from api.db.models import Application
from api.deps import CatalogDep, DbSession, run_db
from api.engine.form_check import check_form
from api.engine.plan import compute_plan
from api.errors import ApiError, error_responses
from api.numbers import is_well_formed
from api.ratelimit import TOO_MANY, client_key, is_internal
from api.review.corrections import apply_correction, fields_to_correct
from api.routes.schemas import ApplicationOut, SubmissionOut, plan_snapshot
from api.validation.identity import validate_phone
from privacy import mask_text

router = APIRouter(prefix="/applications", tags=["applications"])

NOT_FOUND_MESSAGE = "没有查到这个受理编号，或手机号与申请时填写的不一致，请核对后重试。"
LOCKED_MESSAGE = "这个受理编号的查询错误次数过多，已暂时锁定。请15分钟后再试，或拨打12345咨询。"
NOT_REQUESTED = "这一项不在补正要求里，无需修改。"
NO_CORRECTION = "这份申请目前没有需要补正的内容。"
IN_REVIEW_MESSAGE = "这份申请已经提交并开始审核，不能再在线修改。如需更改，请联系审核窗口或拨打12345。"


class TranscriptLine(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    speaker: Literal["user", "bot"] = Field(alias="from")
    text: str = Field(max_length=500)


class ApplicationCreate(BaseModel):
    scenario_id: str = Field(max_length=64)
    answers: dict[str, Any] = Field(default_factory=dict, max_length=50)
    form_data: dict[str, Any] = Field(default_factory=dict, max_length=200)
    channel: Literal["web", "mobile", "kiosk"] = "web"
    conversation_id: str | None = Field(default=None, max_length=128)
    transcript: list[TranscriptLine] | None = Field(
        default=None, max_length=200, description="提交时的对话记录（仅对话机器人可提交，已遮蔽）"
    )


def _request_hash(body: ApplicationCreate) -> str:
    """The application itself: a retry from a later turn carries a longer transcript, not a new form."""
    canonical = json.dumps(body.model_dump(exclude={"transcript"}), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


REPLAYED = {"model": SubmissionOut, "description": "The same key again: the stored application, or its next version"}


@router.post("", status_code=201, responses={200: REPLAYED, **error_responses(404, 409, 413, 422, 429)})
async def submit_application(
    body: ApplicationCreate,
    request: Request,
    session: DbSession,
    catalog: CatalogDep,
    response: Response,
    idempotency_key: Annotated[str, Header(min_length=8, max_length=128)],
) -> SubmissionOut:
    """Submit one merged form. The same Idempotency-Key and body always give the same application;
    the same key with a corrected body, before review begins, gives its next version."""
    limits, client = request.app.state.rate_limits, client_key(request)
    if limits.exceeded("submit_client", client):  # counts applications made; replays are free
        raise ApiError(429, "too_many_requests", TOO_MANY, headers={"Retry-After": "600"})
    request_hash = _request_hash(body)
    scenario = catalog.scenarios.get(body.scenario_id)
    if scenario is None:
        raise ApiError(404, "scenario_not_found", f"没有找到场景“{body.scenario_id}”。")
    plan = compute_plan(scenario, body.answers, catalog)  # AnswersInvalid → 422 (api/errors.py)
    data, errors = check_form(plan.form, body.form_data, catalog)
    new_application = None
    if not errors:
        new_application = {
            "scenario_id": scenario.id,
            "answers": dict(plan.answers),
            "form_data": data,
            "plan": plan_snapshot(plan),
            "channel": body.channel,
            "conversation_id": body.conversation_id,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
        }
        if is_internal(request):  # only the bot speaks for a conversation
            new_application |= _conversation(session, catalog, body, data)
    app, outcome = await run_db(session, crud.store_or_resolve, session, idempotency_key, new_application)
    if app is None:
        raise ApiError(422, "form_invalid", f"申请表有{len(errors)}项需要修改，其余内容已保留。", {"fields": errors})
    if outcome == "in_review":
        raise ApiError(409, "already_in_review", IN_REVIEW_MESSAGE)
    if outcome == "created":
        limits.hit("submit_client", client)
    else:
        response.status_code = 200
    return SubmissionOut.of(app, replayed=outcome == "replayed", revised=outcome == "revised")


def _conversation(
    session: DbSession, catalog: Catalog, body: ApplicationCreate, data: dict[str, Any]
) -> dict[str, Any]:
    """The citizen's messages until now, and the transcript masked again here with the form's own
    personal values (whatever the sender masked already)."""
    known = catalog.personal_values(data)
    lines = [{"from": line.speaker, "text": mask_text(line.text, known)} for line in body.transcript or []]
    return {
        "conversation_turns": chat_sessions.turns_of(session, conversation_id=body.conversation_id),
        "transcript": lines or None,
    }


def _verified(request: Request, session: DbSession, number: str, phone: str) -> Application:
    """The application of this number if the phone is the one it was submitted with; limited per
    client, and a number is locked for a while after repeated wrong phones."""
    limits = request.app.state.rate_limits
    client = client_key(request)
    limits.hit("lookup_client", client)
    number = number.strip().upper()[:32]
    if limits.exceeded("wrong_phone_number", number):
        raise ApiError(429, "lookup_locked", LOCKED_MESSAGE, headers={"Retry-After": "900"})
    checked = validate_phone(phone) if phone else None
    app = crud.get_by_number(session, number=number) if is_well_formed(number) else None
    if app is None or checked is None or not checked.valid or checked.value != app.phone:
        limits.hit("failed_lookup_client", client)
        if app is not None:
            limits.hit("wrong_phone_number", number, LOCKED_MESSAGE)
        raise ApiError(404, "application_not_found", NOT_FOUND_MESSAGE)
    return app


def _labels(catalog: Catalog) -> dict[str, str]:
    return {fid: f.label for fid, f in catalog.fields.items()}


@router.get("/{number}", responses=error_responses(404, 422, 429))
def read_application_status(
    number: str,
    request: Request,
    session: DbSession,
    catalog: CatalogDep,
    phone: Annotated[str, Query(max_length=32)] = "",
) -> ApplicationOut:
    """Status with per-item progress and any correction requested (补正: which fields, and why);
    a wrong phone gets the same answer as an unknown number."""
    return ApplicationOut.of(_verified(request, session, number, phone), _labels(catalog))


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: str = Field(max_length=32, description="申请时填写的手机号")
    form_data: dict[str, Any] = Field(max_length=50, description="需要补正的表单项的新值")


@router.post("/{number}/correction", responses=error_responses(404, 409, 422, 429))
def correct_application(
    number: str, body: CorrectionIn, request: Request, session: DbSession, catalog: CatalogDep
) -> ApplicationOut:
    """补正: new values for the fields the officers asked to correct. The same application gets its
    next version (the old one kept for the reviewer) and goes back to the queue. Sending the same
    correction again changes nothing."""
    app = _verified(request, session, number, body.phone)
    wanted = fields_to_correct(app)
    unknown = [f for f in body.form_data if f not in wanted]
    if wanted and unknown:
        raise ApiError(422, "not_requested", NOT_REQUESTED, {"fields": {f: NOT_REQUESTED for f in unknown}})
    scenario = catalog.scenarios[app.scenario_id]
    plan = compute_plan(scenario, app.answers, catalog)
    kept = {k: v for k, v in app.form_data.items() if k in catalog.fields and not catalog.fields[k].derived_from}
    data, errors = check_form(plan.form, {**kept, **body.form_data}, catalog)
    if errors:
        raise ApiError(422, "form_invalid", f"有{len(errors)}项需要修改，其余内容已保留。", {"fields": errors})
    if not wanted:
        if data == app.form_data:  # a retry of a correction already stored
            return ApplicationOut.of(app, _labels(catalog))
        raise ApiError(409, "no_correction_requested", NO_CORRECTION)
    missing = [f for f in wanted if f not in body.form_data]
    if missing:
        labels = _labels(catalog)
        raise ApiError(
            422,
            "correction_incomplete",
            f"还需要补正：{'、'.join(labels.get(f, f) for f in missing)}。",
            {"fields": {f: "请填写补正后的内容。" for f in missing}},
        )
    apply_correction(session, app=app, data=data, changed=wanted)
    session.commit()
    return ApplicationOut.of(app, _labels(catalog))
