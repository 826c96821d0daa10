"""Messages the bot did not understand, recorded for NLU trainers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.db import applications as crud
from api.deps import DbSession
from api.errors import error_responses
from api.ratelimit import client_key
from api.routes.schemas import MissOut
from privacy import mask_text

router = APIRouter(prefix="/nlu", tags=["nlu"])


class MissCreate(BaseModel):
    text: str = Field(min_length=1, max_length=1000)
    sender_hash: str = Field(min_length=8, max_length=64)
    intent: str | None = Field(default=None, max_length=64)
    confidence: float | None = Field(default=None, ge=0, le=1)


@router.post("/misses", status_code=201, responses=error_responses(413, 422, 429))
def record_miss(body: MissCreate, request: Request, session: DbSession) -> MissOut:
    """Record one not-understood message (the sender is hashed by the caller)."""
    request.app.state.rate_limits.hit("miss_client", client_key(request))
    miss = crud.record_miss(
        session, text=mask_text(body.text), sender_hash=body.sender_hash, intent=body.intent, confidence=body.confidence
    )
    session.commit()
    return MissOut(id=miss.id)
