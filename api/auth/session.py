"""The signed-in staff member of a request (FastAPI dependencies), and the CSRF check.

The cookie `zw_staff` (HttpOnly, SameSite=Strict, Secure over https) holds a random token; the
server keeps the session, which ends after idle time or its lifetime. Every unsafe request carries
the session's CSRF token: the `X-CSRF-Token` header (JSON calls) or the `csrf_token` form field."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Annotated

from fastapi import Cookie, Depends, Request

from api.db import staff
from api.db.models import StaffSession
from api.deps import DbSession
from api.errors import ApiError

COOKIE = "zw_staff"
LOGIN_REQUIRED = "请先登录。"
NOT_ALLOWED = "您的账号没有这项权限。"
BAD_CSRF = "页面已过期，请刷新后重试。"


def live_session(request: Request, session: DbSession, token: str) -> StaffSession | None:
    cfg = request.app.state.settings
    row = staff.find_session(
        session,
        token=token,
        idle=dt.timedelta(minutes=cfg.STAFF_IDLE_MINUTES),
        lifetime=dt.timedelta(hours=cfg.STAFF_SESSION_HOURS),
    )
    session.commit()
    return row


async def optional_staff(
    request: Request, session: DbSession, zw_staff: Annotated[str, Cookie(max_length=100)] = ""
) -> StaffSession | None:
    return live_session(request, session, zw_staff)


async def require_staff(staff_session: Annotated[StaffSession | None, Depends(optional_staff)]) -> StaffSession:
    if staff_session is None:
        raise ApiError(401, "login_required", LOGIN_REQUIRED)
    return staff_session


StaffDep = Annotated[StaffSession, Depends(require_staff)]
OptionalStaffDep = Annotated[StaffSession | None, Depends(optional_staff)]


def require_role(staff_session: StaffSession, *roles: str) -> None:
    if staff_session.user.role not in roles:
        raise ApiError(403, "forbidden", NOT_ALLOWED)


def check_csrf(staff_session: StaffSession, given: str | None) -> None:
    if not given or not hmac.compare_digest(given, staff_session.csrf_token):
        raise ApiError(403, "csrf_failed", BAD_CSRF)


def set_cookie(request: Request, response, token: str) -> None:
    secure = bool(request.app.state.settings.COOKIE_SECURE) or request.url.scheme == "https"
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/")


def clear_cookie(response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
