"""The trainer inbox's JSON API under /api/staff/inbox (trainer and admin roles): groups of
not-understood messages, one group's detail, a trainer's action on it, and the export file.
The /staff/inbox pages render the same response models."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth.session import StaffDep, check_csrf
from api.db import inbox
from api.db.models import InboxGroup, StaffUser
from api.deps import DbSession
from api.ratelimit import client_key
from api.review.service import Refused
from api.routes.staff import CsrfHeader, refused
from api.settings import Settings
from api.trainer_inbox import service
from api.trainer_inbox.domain import NOT_LABELS, choices
from api.trainer_inbox.export import build_from_settings, mark_exported

router = APIRouter(prefix="/staff/inbox", tags=["trainer inbox"])

STATE_LABELS = {"new": "待处理", "labelled": "已标注", "exported": "已导出", "ignored": "已忽略"}
KIND_LABELS = {"fallback": "没听懂", "low_confidence": "把握不大", "ambiguous": "难以区分", "reasked": "多次重问"}
LABEL_LABELS = {"intent": "意图", "out_of_scope": "超出范围", "new_scenario": "需要新场景"}
StateFilter = Literal["", "new", "labelled", "exported", "ignored"]
KindFilter = Literal["", "fallback", "low_confidence", "ambiguous", "reasked"]


class RankedIntent(BaseModel):
    name: str
    confidence: float


class EntitySpan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: int = Field(ge=0, le=1000)
    end: int = Field(ge=1, le=1000)
    entity: str = Field(max_length=64)
    value: str | None = Field(default=None, max_length=1000, description="返回时给出，提交时可省略")


class GroupSummary(BaseModel):
    id: int
    text: str = Field(description="第一条消息（已遮蔽）")
    count: int
    state: str
    state_label: str
    kinds: dict[str, int] = Field(description="每种来由的条数：fallback / low_confidence / ambiguous / reasked")
    label: str | None
    intent: str | None
    updated_at: str


class InboxPage(BaseModel):
    rows: list[GroupSummary]
    total: int
    page: int
    pages: int


class Example(BaseModel):
    id: int
    text: str
    kind: str
    kind_label: str
    ranking: list[RankedIntent]
    scenario: str | None
    requested_slot: str | None
    active_loop: str | None
    reply: str | None
    created_at: str


class GroupDetail(GroupSummary):
    entities: list[EntitySpan]
    note: str | None
    labelled_by: str | None
    suggested: list[RankedIntent] = Field(description="分类器排名最高的三个意图")
    examples: list[Example]
    intents: list[str] = Field(description="可选的全部意图")
    entity_names: list[str] = Field(description="可标注的全部实体")


class ActionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["intent", "out_of_scope", "new_scenario", "ignore"]
    intent: str | None = Field(default=None, max_length=64)
    entities: list[EntitySpan] = Field(default_factory=list, max_length=service.MAX_ENTITIES)
    note: str = Field(default="", max_length=service.MAX_NOTE_CHARS)


def summary(group: InboxGroup, kinds: dict[str, int]) -> dict:
    return {
        "id": group.id,
        "text": group.text,
        "count": group.count,
        "state": group.state,
        "state_label": STATE_LABELS.get(group.state, group.state),
        "kinds": kinds,
        "label": group.label,
        "intent": group.intent,
        "updated_at": group.updated_at.strftime("%Y-%m-%d %H:%M"),
    }


def inbox_page(session: DbSession, user: StaffUser, cfg: Settings, state: str, kind: str, page: int) -> InboxPage:
    service.check_role(user)
    size = cfg.STAFF_PAGE_SIZE
    rows, total = inbox.list_groups(
        session, state=state or None, kind=kind or None, offset=(page - 1) * size, limit=size
    )
    return InboxPage(
        rows=[GroupSummary(**summary(r.group, r.kinds)) for r in rows],
        total=total,
        page=page,
        pages=max(1, -(-total // size)),
    )


def group_detail(session: DbSession, user: StaffUser, cfg: Settings, group_id: int) -> GroupDetail:
    group = service.get_group(session, user, group_id)
    dom = choices(cfg.BOT_DOMAIN_DIR)
    examples = inbox.examples(session, group_id=group.id, limit=cfg.INBOX_EXAMPLES_SHOWN)
    kinds = inbox.kind_counts(session, group_id=group.id)
    return GroupDetail(
        **summary(group, kinds),
        entities=[EntitySpan(**e) for e in group.entities or []],
        note=group.note,
        labelled_by=group.labelled_by,
        suggested=[RankedIntent(**r) for r in inbox.suggested_intents(session, group_id=group.id, exclude=NOT_LABELS)],
        examples=[
            Example(
                id=m.id,
                text=m.text,
                kind=m.kind,
                kind_label=KIND_LABELS.get(m.kind, m.kind),
                ranking=[RankedIntent(**r) for r in m.ranking or []],
                scenario=m.scenario,
                requested_slot=m.requested_slot,
                active_loop=m.active_loop,
                reply=m.reply,
                created_at=m.created_at.strftime("%Y-%m-%d %H:%M") if m.created_at else "",
            )
            for m in examples
        ],
        intents=list(dom.intents),
        entity_names=list(dom.entities),
    )


def apply_action(
    session: DbSession, user: StaffUser, cfg: Settings, group_id: int, body: ActionRequest, client: str
) -> GroupDetail:
    service.act(
        session,
        user,
        choices(cfg.BOT_DOMAIN_DIR),
        group_id,
        action=body.action,
        out_of_scope_intent=cfg.INBOX_OUT_OF_SCOPE_INTENT,
        intent=body.intent,
        spans=[service.Span(e.start, e.end, e.entity) for e in body.entities],
        note=body.note,
        client=client,
    )
    session.commit()
    return group_detail(session, user, cfg, group_id)


def export_file(session: DbSession, user: StaffUser, cfg: Settings, client: str) -> Response:
    """The export as a download; the labelled groups in it become exported (audited)."""
    service.check_role(user)
    result = build_from_settings(session, cfg, out=cfg.INBOX_EXPORT_FILE)
    mark_exported(session, result, actor=user, client=client)
    session.commit()
    headers = {
        "Content-Disposition": 'attachment; filename="inbox.yml"',
        "Cache-Control": "no-store",
        "X-Examples-Written": str(result.written),
        "X-Examples-Skipped": str(len(result.skipped)),
    }
    return Response(result.yaml_text, media_type="application/x-yaml; charset=utf-8", headers=headers)


@router.get("", response_model=InboxPage)
def list_inbox(
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    state: Annotated[StateFilter, Query()] = "",
    kind: Annotated[KindFilter, Query()] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> InboxPage:
    """Groups of not-understood messages, most frequent first (filter by state and kind)."""
    try:
        return inbox_page(session, staff_session.user, request.app.state.settings, state, kind, page)
    except Refused as exc:
        raise refused(exc) from None


@router.get("/groups/{group_id}", response_model=GroupDetail)
def read_group(group_id: int, request: Request, staff_session: StaffDep, session: DbSession) -> GroupDetail:
    """One group: its examples with ranking, conversation state and reply, and the suggestions."""
    try:
        return group_detail(session, staff_session.user, request.app.state.settings, group_id)
    except Refused as exc:
        raise refused(exc) from None


@router.post("/groups/{group_id}/action", response_model=GroupDetail)
def act_on_group(
    group_id: int,
    body: ActionRequest,
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    csrf: CsrfHeader = None,
) -> GroupDetail:
    """Pick an intent (with entity spans), mark out of scope, ask for a new scenario, or ignore."""
    check_csrf(staff_session, csrf)
    try:
        return apply_action(
            session, staff_session.user, request.app.state.settings, group_id, body, client_key(request)
        )
    except Refused as exc:
        session.rollback()
        raise refused(exc) from None


@router.post("/export")
def export_inbox(request: Request, staff_session: StaffDep, session: DbSession, csrf: CsrfHeader = None) -> Response:
    """The labelled examples as Rasa NLU YAML (data/nlu/inbox.yml); they become exported."""
    check_csrf(staff_session, csrf)
    try:
        return export_file(session, staff_session.user, request.app.state.settings, client_key(request))
    except Refused as exc:
        raise refused(exc) from None
