"""What the citizen's page reads back of its own conversation: the history and the one form after a
reload, and the receipt once the application is in. Only the session cookie names the conversation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import segno
from fastapi import APIRouter, Cookie, Request
from pydantic import BaseModel, Field

from api.bot_client import BotUnavailable
from api.conversation_view import conversation_view
from api.db import applications as crud
from api.db import chat_sessions
from api.deps import CatalogDep, DbSession
from api.errors import ApiError
from api.routes.chat import BOT_DOWN
from api.routes.schemas import case_plan
from api.statuses import ITEM_STATUSES

router = APIRouter(prefix="/chat", tags=["chat"])

NO_RECEIPT = "这次对话还没有提交申请，暂无回执。"


class HistoryButton(BaseModel):
    title: str
    payload: str


class HistoryMessage(BaseModel):
    sender: Literal["user", "bot"] = Field(alias="from")
    text: str
    buttons: list[HistoryButton] = Field(default_factory=list)


class QuestionState(BaseModel):
    id: str
    label: str
    answered: bool
    answer: str | None


class FieldState(BaseModel):
    id: str
    label: str
    departments: list[str]
    state: Literal["filled", "pending", "derived"]
    value: str | None = Field(description="已填写的值（个人信息已遮蔽）")
    derived_from: str | None = None


class FieldGroupState(BaseModel):
    id: str
    label: str
    fields: list[FieldState]


class CaseState(BaseModel):
    scenario_id: str
    scenario_name: str
    questions: list[QuestionState]
    decided: bool = Field(description="引导问题都已回答")
    application_number: str | None
    plan: dict[str, Any] | None = Field(description="items, not_applicable, stages, materials, saving（同 /plan）")
    form: list[FieldGroupState]


class ConversationState(BaseModel):
    live: bool = Field(description="这个浏览器有一个进行中的会话")
    messages: list[HistoryMessage]
    case: CaseState | None


class ReceiptItem(BaseModel):
    name: str
    department: str
    stage: int
    status_label: str


class Receipt(BaseModel):
    number: str
    scenario_name: str
    submitted_at: str
    items: list[ReceiptItem]
    next_steps: list[str]
    status_url: str
    qr_svg: str = Field(description="打开进度查询页的二维码（SVG data URI）")


def _idle(request: Request) -> dt.timedelta:
    return dt.timedelta(minutes=request.app.state.settings.SESSION_IDLE_MINUTES)


async def _tracker(request: Request, session: DbSession, token: str) -> dict[str, Any] | None:
    row, _ = chat_sessions.find_live(session, token=token, idle=_idle(request))
    session.commit()
    if row is None:
        return None
    try:
        return await request.app.state.bot.tracker(row.conversation_id)
    except BotUnavailable:
        raise ApiError(503, "bot_unavailable", BOT_DOWN, headers={"Retry-After": "5"}) from None


@router.get("/state", response_model=ConversationState, response_model_by_alias=True)
async def conversation_state(
    request: Request,
    session: DbSession,
    catalog: CatalogDep,
    zw_session: Annotated[str, Cookie(max_length=100)] = "",
) -> dict[str, Any]:
    """This browser's conversation: its messages and the form so far (personal data masked)."""
    tracker = await _tracker(request, session, zw_session)
    if tracker is None:
        return {"live": False, "messages": [], "case": None}
    view = conversation_view(tracker, catalog)
    if view["case"] and view["case"]["plan"] is not None:
        view["case"]["plan"] = case_plan(view["case"]["plan"])
    return {"live": True, **view}


def _next_steps(plan: dict[str, Any]) -> list[str]:
    names = {it["id"]: it["name"] for it in plan.get("items", [])}
    steps = []
    for stage in plan.get("stages", []):
        listed = "、".join(names.get(i, i) for i in stage["items"])
        how = "同时审批" if stage.get("parallel") else "审批"
        steps.append(f"第{stage['stage']}步：{how}{listed}。")
        steps.extend(g["resolution"] for g in stage.get("joint_groups", []) if g.get("resolution"))
    steps.append("审核中如需补正，工作人员会联系您；凭受理编号和手机号可随时查询进度。")
    return steps


@router.get("/receipt", response_model=Receipt)
async def receipt(
    request: Request,
    session: DbSession,
    zw_session: Annotated[str, Cookie(max_length=100)] = "",
) -> Receipt:
    """The receipt of the application this conversation submitted: number, items, next steps, QR code."""
    tracker = await _tracker(request, session, zw_session)
    number = str(((tracker or {}).get("slots") or {}).get("application_number") or "")
    app = crud.get_by_number(session, number=number) if number else None
    if app is None:
        raise ApiError(404, "no_receipt", NO_RECEIPT)
    status_url = str(request.url_for("status_page").include_query_params(number=app.number))
    qr = segno.make(status_url, error="m").svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
    plan = app.plan_snapshot
    return Receipt(
        number=app.number,
        scenario_name=plan.get("scenario_name", app.scenario_id),
        submitted_at=app.created_at.strftime("%Y-%m-%d %H:%M") if app.created_at else "",
        items=[
            ReceiptItem(
                name=it.item_name,
                department=it.department,
                stage=it.stage,
                status_label=ITEM_STATUSES.get(it.status, it.status),
            )
            for it in app.items
        ],
        next_steps=_next_steps(plan),
        status_url=status_url,
        qr_svg=qr,
    )
