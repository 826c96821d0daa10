"""Data functions for chat sessions. Keyword-only; they flush, the caller commits."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import ChatSession, utcnow


def token_hash(token: str) -> str:
    # The token is 256 random bits: a plain hash is enough to keep a database reader from using it.
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite returns naive datetimes


def open_session(session: Session, *, channel: str) -> tuple[ChatSession, str]:
    """A new session: (row, the token for the client's cookie)."""
    token = secrets.token_urlsafe(32)
    row = ChatSession(token_hash=token_hash(token), conversation_id=secrets.token_hex(16), channel=channel)
    session.add(row)
    session.flush()
    return row, token


def find_live(session: Session, *, token: str, idle: dt.timedelta) -> tuple[ChatSession | None, bool]:
    """The session this token holds if it is still live: (row or None, whether it had expired).

    An idle session is ended here, so it can never be picked up again."""
    if not token or len(token) > 100:
        return None, False
    row = session.scalars(select(ChatSession).where(ChatSession.token_hash == token_hash(token))).one_or_none()
    if row is None or row.ended_at is not None:
        return None, row is not None
    now = utcnow()
    if now - _aware(row.last_seen_at) > idle:
        row.ended_at = now
        session.flush()
        return None, True
    row.last_seen_at = now
    session.flush()
    return row, False


def end_session(session: Session, *, token: str) -> bool:
    row = session.scalars(select(ChatSession).where(ChatSession.token_hash == token_hash(token))).one_or_none()
    if row is None or row.ended_at is not None:
        return False
    row.ended_at = utcnow()
    session.flush()
    return True


# The steps of a conversation before its submission, as the bot reports them (a custom message
# {"progress": step, "scenario": id} beside its replies); the funnel counts sessions by the furthest.
PROGRESS_STEPS = ("started", "scenario_found", "questions_answered", "form_complete")


def count_turn(row: ChatSession) -> None:
    """One more message from the citizen (counted before the bot sees it, so a submission made in
    this turn counts it)."""
    row.turns = (row.turns or 0) + 1


def record_progress(session: Session, *, row: ChatSession, reports: list[dict[str, str]]) -> None:
    """Keep the furthest step the bot reported and the scenario it was about."""
    for report in reports:
        step = report.get("progress")
        if step not in PROGRESS_STEPS:
            continue
        level = PROGRESS_STEPS.index(step)
        scenario = str(report.get("scenario") or "")[:64] or None
        if scenario and scenario != row.scenario_id:  # another scenario starts over
            row.scenario_id, row.progress = scenario, level
        elif level > (row.progress or 0):
            row.progress = level
    session.flush()


def turns_of(session: Session, *, conversation_id: str | None) -> int | None:
    """The citizen's messages so far in this conversation (None when it did not come through chat)."""
    if not conversation_id:
        return None
    return session.scalar(select(ChatSession.turns).where(ChatSession.conversation_id == conversation_id))
