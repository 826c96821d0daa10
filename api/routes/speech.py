"""Speech for the chat pages: what is available, replies read aloud, recorded answers as text.

Under /api/chat so the session cookie comes along: only a live chat session may use them, and each
session is rate-limited (synthesis and recognition cost CPU)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Cookie, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.db import chat_sessions
from api.deps import DbSession
from api.errors import ApiError
from api.speech import asr, tts

router = APIRouter(prefix="/chat/speech", tags=["speech"])

NO_SESSION = "请先在对话中说一句话，再使用语音功能。"
TTS_FAILED = "朗读暂时不可用，请看屏幕上的文字。"
ASR_FAILED = "没有听清，请再说一遍，或直接打字。"
ASR_OFF = "本终端没有开通语音输入，请打字或使用屏幕键盘。"


class SpeechCapabilities(BaseModel):
    tts: bool = Field(description="服务器能朗读（espeak-ng）")
    asr: bool = Field(description="服务器能识别语音（已配置识别器）")


class TtsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)


class Recognised(BaseModel):
    text: str


def _live_conversation(request: Request, session: DbSession, token: str) -> str:
    idle = dt.timedelta(minutes=request.app.state.settings.SESSION_IDLE_MINUTES)
    row, _ = chat_sessions.find_live(session, token=token, idle=idle)
    session.commit()
    if row is None:
        raise ApiError(403, "no_chat_session", NO_SESSION)
    request.app.state.rate_limits.hit("speech_session", row.conversation_id)
    return row.conversation_id


@router.get("", response_model=SpeechCapabilities)
def capabilities(request: Request) -> SpeechCapabilities:
    """Which speech features this server offers (the page hides the buttons of the others)."""
    cfg = request.app.state.settings
    return SpeechCapabilities(tts=tts.available(cfg.TTS_COMMAND), asr=request.app.state.recogniser is not None)


@router.post("/tts", response_class=Response, responses={200: {"content": {"audio/wav": {}}}})
async def read_aloud(
    body: TtsRequest, request: Request, session: DbSession, zw_session: Annotated[str, Cookie(max_length=100)] = ""
) -> Response:
    """A reply as WAV audio (the first TTS_MAX_CHARS characters)."""
    _live_conversation(request, session, zw_session)
    cfg = request.app.state.settings
    try:
        audio = await tts.synthesize(cfg.TTS_COMMAND, body.text[: cfg.TTS_MAX_CHARS])
    except tts.SpeechFailed:
        raise ApiError(503, "tts_unavailable", TTS_FAILED) from None
    return Response(audio, media_type="audio/wav", headers={"Cache-Control": "no-store"})


@router.post("/recognise", response_model=Recognised)
async def recognise(
    request: Request, session: DbSession, zw_session: Annotated[str, Cookie(max_length=100)] = ""
) -> Recognised:
    """Recorded audio (the request body, e.g. audio/webm) → the text, normalised like typed text."""
    recogniser = request.app.state.recogniser
    if recogniser is None:
        raise ApiError(404, "asr_off", ASR_OFF)
    _live_conversation(request, session, zw_session)
    audio = await request.body()
    if not audio:
        raise ApiError(422, "no_audio", ASR_FAILED)
    content_type = request.headers.get("content-type", "application/octet-stream")[:100]
    try:
        text = await run_in_threadpool(asr.recognise, recogniser, audio, content_type)
    except asr.RecognitionFailed:
        raise ApiError(422, "not_recognised", ASR_FAILED) from None
    if not text:
        raise ApiError(422, "not_recognised", ASR_FAILED)
    return Recognised(text=text[: request.app.state.settings.CHAT_MAX_CHARS])
