"""Messages the bot did not understand, reported by the action server and the Rasa server for the
trainer inbox (api/trainer_inbox). Internal: only callers with the internal token may write."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.db import inbox
from api.deps import DbSession
from api.errors import ApiError, error_responses
from api.ratelimit import client_key, is_internal
from api.routes.schemas import MissOut
from privacy import mask_text
from serversecret import keyed_hash

router = APIRouter(prefix="/nlu", tags=["nlu"])
Name = Field(default=None, max_length=64)


class RankedIntent(BaseModel):
    name: str = Field(max_length=64)
    confidence: float = Field(ge=0, le=1)


class MissCreate(BaseModel):
    text: str = Field(min_length=1, max_length=1000)
    sender_hash: str = Field(min_length=8, max_length=64)
    intent: str | None = Name
    confidence: float | None = Field(default=None, ge=0, le=1)
    kind: Literal["fallback", "low_confidence", "ambiguous", "reasked"] = "fallback"
    ranking: list[RankedIntent] = Field(default_factory=list, max_length=3)
    scenario: str | None = Name
    requested_slot: str | None = Name
    active_loop: str | None = Name
    reply: str | None = Field(default=None, max_length=2000)
    message_id: str | None = Field(default=None, max_length=64, description="Rasa 的消息编号：同一轮的两份报告合并")


@router.post("/misses", status_code=201, responses=error_responses(403, 413, 422, 429))
def record_miss(body: MissCreate, request: Request, session: DbSession) -> MissOut:
    """Record one not-understood message for the trainer inbox (the sender is hashed by the caller)."""
    if not is_internal(request):
        raise ApiError(403, "internal_only", "只有服务内部可以提交。")
    request.app.state.rate_limits.hit("miss_client", client_key(request))
    cfg = request.app.state.settings
    report = inbox.MissReport(
        text=mask_text(body.text),
        sender_hash=body.sender_hash,
        intent=body.intent,
        confidence=body.confidence,
        kind=body.kind,
        ranking=[r.model_dump() for r in body.ranking] or None,
        scenario=body.scenario,
        requested_slot=body.requested_slot,
        active_loop=body.active_loop,
        reply=mask_text(body.reply) if body.reply else None,
        turn_key=keyed_hash("turn", body.sender_hash, body.message_id)[:40] if body.message_id else None,
    )
    miss = inbox.record(session, report, threshold=cfg.INBOX_SIMILARITY, candidates=cfg.INBOX_GROUP_CANDIDATES)
    session.commit()
    return MissOut(id=miss.id)
