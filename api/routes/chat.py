"""The public way in for citizens' messages: a same-origin chat endpoint with server-issued sessions.

The browser (or the terminal chat) holds only an HttpOnly cookie with a random token; the server
keeps the session, chooses Rasa's conversation id, forwards the message to Rasa's REST channel and
returns the replies. A session idle longer than SESSION_IDLE_MINUTES, or ended by the citizen (the
kiosk's "结束办理"), is never resumed: the next message starts a new, empty conversation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Cookie, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.bot_client import BotUnavailable
from api.db import chat_sessions
from api.deps import DbSession
from api.errors import ApiError
from api.ratelimit import client_key

router = APIRouter(prefix="/chat", tags=["chat"])

COOKIE = "zw_session"
BOT_DOWN = "对话服务暂时不可用，请稍后再试；您已填写的内容不会丢失。"


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a client cannot name the conversation ("sender")

    message: str = Field(max_length=20000, description="市民说的话（超过500字会被礼貌拒绝）")
    channel: Literal["web", "mobile", "kiosk"] = "web"


class Button(BaseModel):
    title: str
    payload: str


class BotReply(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)


class SessionState(BaseModel):
    started: bool = Field(description="这条消息开始了一个新会话")
    expired: bool = Field(description="上一个会话因长时间未操作已结束")


class ChatReply(BaseModel):
    messages: list[BotReply]
    session: SessionState


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.COOKIE_SECURE) or request.url.scheme == "https"


@router.post("", response_model=ChatReply)
async def chat(
    body: ChatMessage,
    request: Request,
    response: Response,
    session: DbSession,
    zw_session: Annotated[str, Cookie(max_length=100)] = "",
) -> ChatReply:
    """Say one thing to the assistant; the reply lists its messages (text and buttons)."""
    cfg = request.app.state.settings
    limits = request.app.state.rate_limits
    if len(body.message) > cfg.CHAT_MAX_CHARS:
        raise ApiError(
            422,
            "message_too_long",
            f"您的消息太长了，我一次最多能读{cfg.CHAT_MAX_CHARS}个字。请分几次、每次简短地说。",
            {"max_chars": cfg.CHAT_MAX_CHARS},
        )
    client = client_key(request)
    limits.hit("chat_client", client)
    idle = dt.timedelta(minutes=cfg.SESSION_IDLE_MINUTES)
    row, expired = chat_sessions.find_live(session, token=zw_session, idle=idle)
    started = row is None
    if row is None:
        limits.hit("new_session", client)
        row, token = chat_sessions.open_session(session, channel=body.channel)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/api/chat")
    chat_sessions.count_turn(row)
    session.commit()
    limits.hit("chat_session", row.conversation_id)
    try:
        turn = await request.app.state.bot.say(row.conversation_id, body.message, body.channel)
    except BotUnavailable:
        # The new session's cookie still goes back: the retry continues this conversation.
        headers = {"Retry-After": "5"}
        if started:
            headers["set-cookie"] = response.headers["set-cookie"]
        raise ApiError(503, "bot_unavailable", BOT_DOWN, headers=headers) from None
    if turn.progress:
        chat_sessions.record_progress(session, row=row, reports=turn.progress)
        session.commit()
    return ChatReply(
        messages=[BotReply(**r) for r in turn.replies], session=SessionState(started=started, expired=expired)
    )


@router.delete("/session", status_code=204)
def end_chat_session(
    request: Request, session: DbSession, zw_session: Annotated[str, Cookie(max_length=100)] = ""
) -> Response:
    """End this browser's session now (a kiosk's reset, or "结束办理"); the next message starts afresh."""
    if zw_session:
        chat_sessions.end_session(session, token=zw_session)
        session.commit()
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/api/chat", httponly=True, samesite="strict", secure=_secure(request))
    return response
