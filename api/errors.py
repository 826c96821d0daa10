"""Errors a client sees: JSON {code, message, details}, message in Chinese; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.engine.plan import AnswersInvalid

log = logging.getLogger("api.errors")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or {}
        self.headers = headers


class ErrorOut(BaseModel):
    """Every error a client gets: a machine code and a Chinese message a citizen can act on."""

    code: str
    message: str
    details: dict[str, Any]


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return ErrorOut(code=code, message=message, details=details or {}).model_dump()


_ERROR_DESCRIPTIONS = {
    403: "Forbidden (not signed in with the right role, or not the action server)",
    404: "Not found (scenario, question, field or application)",
    409: "Already under review",
    413: "Request body too large",
    422: "Invalid request, answers or form (details name each problem)",
    429: "Too many requests (Retry-After says when to try again)",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route's error answers; FastAPI's own 422 schema is replaced,
    as our handler answers every invalid request with the same JSON as any other error."""
    return {code: {"model": ErrorOut, "description": _ERROR_DESCRIPTIONS[code]} for code in codes}


_HTTP_MESSAGES = {
    404: ("not_found", "您访问的地址不存在。"),
    405: ("method_not_allowed", "不支持这种请求方式。"),
    413: ("body_too_large", "提交的内容过大，请精简后重试。"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(AnswersInvalid)
    async def _answers_invalid(_: Request, exc: AnswersInvalid) -> JSONResponse:
        details = {"questions": exc.errors, "suggestions": exc.suggestions}
        body = error_body("answers_invalid", "部分引导问题的回答没有看懂，请修改后重试。", details)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"location": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        return JSONResponse(
            error_body("invalid_request", "请求内容格式不正确，请检查后重试。", {"problems": problems}),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求未能处理，请稍后重试。"))
        return JSONResponse(error_body(code, message), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error: %s", type(exc).__name__)
        return JSONResponse(
            error_body("internal_error", "系统繁忙，请稍后再试；您已填写的内容不会丢失。"), status_code=500
        )
