"""The staff workspace pages under /staff: server-rendered forms over the same service functions as
the staff API; no script needed. Without a live session every page sends the browser to the login."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import login as login_service
from api.auth.roles import ROLES, may_review
from api.auth.session import OptionalStaffDep, check_csrf, clear_cookie, set_cookie
from api.db import audit, staff
from api.db.models import StaffSession
from api.db.review_queue import QueueFilter
from api.deps import CatalogDep, DbSession
from api.errors import ApiError
from api.ratelimit import client_key
from api.review import service
from api.routes.pages import SECURITY_HEADERS, TEMPLATES
from api.routes.staff import Analytics, analytics_report
from api.statuses import APPLICATION_STATUSES

router = APIRouter(prefix="/staff", include_in_schema=False)
CHANNELS = {"web": "网页", "mobile": "手机", "kiosk": "自助终端"}
Csrf = Annotated[str, Form(max_length=100)]


def _render(request: Request, template: str, staff_session: StaffSession | None, status: int = 200, **ctx: Any):
    context = {
        "me": staff_session.user if staff_session else None,
        "role_label": ROLES.get(staff_session.user.role, "") if staff_session else "",
        "csrf_token": staff_session.csrf_token if staff_session else "",
        "channels": CHANNELS,
        **ctx,
    }
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/staff/login?{urlencode({'next': target})}", status_code=303)


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _home(staff_session: StaffSession) -> str:
    return "/staff/inbox" if staff_session.user.role == "trainer" else "/staff"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, staff_session: OptionalStaffDep) -> Response:
    if staff_session is not None:
        return RedirectResponse(_home(staff_session), status_code=303)
    return _render(request, "staff/login.html", None)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    next_url: Annotated[str, Query(alias="next", max_length=300)] = "/staff",
) -> Response:
    client = client_key(request)
    cfg = request.app.state.settings
    try:
        request.app.state.rate_limits.hit("login_client", client)
        row, token = login_service.attempt(
            session,
            username=username,
            password=password,
            client=client,
            max_failures=cfg.LOGIN_MAX_FAILURES,
            lock_minutes=cfg.LOGIN_LOCK_MINUTES,
        )
    except login_service.LoginRefused as exc:
        return _render(request, "staff/login.html", None, exc.status, error=exc.message, username=username)
    except ApiError as exc:  # rate limit
        return _render(request, "staff/login.html", None, exc.status, error=exc.message, username=username)
    target = next_url if next_url.startswith("/staff") and not next_url.startswith("//") else _home(row)
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(staff_session: OptionalStaffDep, session: DbSession, csrf_token: Csrf = "") -> Response:
    if staff_session is not None:
        check_csrf(staff_session, csrf_token)
        staff.end_session(session, row=staff_session)
        audit.record(session, actor=staff_session.user, action="logout")
        session.commit()
    response = RedirectResponse("/staff/login", status_code=303)
    clear_cookie(response)
    return response


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    catalog: CatalogDep,
    status: Annotated[str, Query(max_length=24)] = "",
    scenario_id: Annotated[str, Query(max_length=64)] = "",
    department: Annotated[str, Query(max_length=200)] = "",
    channel: Annotated[str, Query(max_length=16)] = "",
    date_from: Annotated[str, Query(max_length=10)] = "",
    date_to: Annotated[str, Query(max_length=10)] = "",
    number: Annotated[str, Query(max_length=32)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if staff_session is None:
        return _to_login(request)
    if staff_session.user.role == "trainer":
        return RedirectResponse(_home(staff_session), status_code=303)

    f = QueueFilter(
        status=status or None,
        scenario_id=scenario_id or None,
        department=department or None,
        channel=channel or None,
        date_from=_day(date_from),
        date_to=_day(date_to),
        number=number.strip().upper() or None,
    )
    data = service.queue(
        session, staff_session.user, catalog, f, number=page, size=request.app.state.settings.STAFF_PAGE_SIZE
    )
    params = {k: v for k, v in request.query_params.items()}

    def query(**changes: Any) -> str:
        merged = {**params, **{k: str(v) for k, v in changes.items()}}
        return urlencode({k: v for k, v in merged.items() if v})

    visible = service.visible_departments(staff_session.user)
    return _render(
        request,
        "staff/queue.html",
        staff_session,
        queue=data,
        f=f,
        query=query,
        statuses=APPLICATION_STATUSES,
        scenarios=list(catalog.scenarios.values()),
        departments=list(visible) if visible is not None else service.departments(catalog),
    )


def _detail_page(
    request: Request,
    staff_session: StaffSession,
    session: DbSession,
    catalog: CatalogDep,
    number: str,
    *,
    revealed: dict[str, str] | None = None,
    status: int = 200,
    **ctx: Any,
) -> Response:
    try:
        app = service.application_detail(session, staff_session.user, catalog, number, revealed)
    except service.Refused as exc:
        return _render(request, "staff/base.html", staff_session, exc.status, error=exc.message)
    events = service.audit_view(audit.for_application(session, number=number))
    return _render(
        request,
        "staff/detail.html",
        staff_session,
        status,
        app=app,
        events=events,
        can_review=may_review(staff_session.user.role),
        reviewers=service.reviewers(session) if staff_session.user.role == "supervisor" else [],
        **ctx,
    )


@router.get("/applications/{number}", response_class=HTMLResponse)
def detail_page(
    number: str, request: Request, staff_session: OptionalStaffDep, session: DbSession, catalog: CatalogDep
) -> Response:
    if staff_session is None:
        return _to_login(request)
    return _detail_page(request, staff_session, session, catalog, number.strip().upper()[:32])


@router.post("/applications/{number}/reveal", response_class=HTMLResponse)
def reveal(
    number: str,
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    catalog: CatalogDep,
    field: Annotated[str, Form(max_length=64)],
    csrf_token: Csrf = "",
) -> Response:
    if staff_session is None:
        return _to_login(request)
    check_csrf(staff_session, csrf_token)
    number = number[:32]
    try:
        value = service.reveal(session, staff_session.user, catalog, number, field, client_key(request))
    except service.Refused as exc:
        return _detail_page(request, staff_session, session, catalog, number, status=exc.status, error=exc.message)
    return _detail_page(request, staff_session, session, catalog, number, revealed={field: value})


@router.post("/applications/{number}/items/{item_id}", response_class=HTMLResponse)
def decide(
    number: str,
    item_id: str,
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    catalog: CatalogDep,
    action: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=1000)] = "",
    fields: Annotated[list[str] | None, Form(max_length=50)] = None,
    csrf_token: Csrf = "",
) -> Response:
    if staff_session is None:
        return _to_login(request)
    check_csrf(staff_session, csrf_token)
    number = number[:32]
    try:
        service.decision(
            session,
            staff_session.user,
            catalog,
            number,
            item_id[:64],
            action=action,
            reason=reason,
            fields=fields or [],
            client=client_key(request),
        )
    except service.Refused as exc:
        return _detail_page(request, staff_session, session, catalog, number, status=exc.status, error=exc.message)
    return RedirectResponse(f"/staff/applications/{number}", status_code=303)


@router.post("/applications/{number}/items/{item_id}/assign", response_class=HTMLResponse)
def assign(
    number: str,
    item_id: str,
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    catalog: CatalogDep,
    username: Annotated[str, Form(max_length=64)] = "",
    csrf_token: Csrf = "",
) -> Response:
    if staff_session is None:
        return _to_login(request)
    check_csrf(staff_session, csrf_token)
    try:
        service.assign(session, staff_session.user, number[:32], item_id[:64], username, client_key(request))
    except service.Refused as exc:
        return _detail_page(request, staff_session, session, catalog, number[:32], status=exc.status, error=exc.message)
    return RedirectResponse(f"/staff/applications/{number[:32]}", status_code=303)


@router.post("/applications/{number}/materials", response_class=HTMLResponse)
def tick_material(
    number: str,
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    catalog: CatalogDep,
    material_id: Annotated[str, Form(max_length=64)],
    received: Annotated[bool, Form()],
    csrf_token: Csrf = "",
) -> Response:
    if staff_session is None:
        return _to_login(request)
    check_csrf(staff_session, csrf_token)
    try:
        service.tick_material(session, staff_session.user, number[:32], material_id, received, client_key(request))
    except service.Refused as exc:
        return _detail_page(request, staff_session, session, catalog, number[:32], status=exc.status, error=exc.message)
    return RedirectResponse(f"/staff/applications/{number[:32]}", status_code=303)


def _users_page(request: Request, staff_session: StaffSession, session: DbSession, catalog: CatalogDep, **ctx: Any):
    return _render(
        request,
        "staff/users.html",
        staff_session,
        ctx.pop("status", 200),
        users=staff.list_users(session),
        roles=ROLES,
        departments=service.departments(catalog),
        **ctx,
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, staff_session: OptionalStaffDep, session: DbSession, catalog: CatalogDep) -> Response:
    if staff_session is None:
        return _to_login(request)
    if staff_session.user.role != "admin":
        return _render(request, "staff/base.html", staff_session, 403, error="您的账号没有这项权限。")
    return _users_page(request, staff_session, session, catalog)


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    catalog: CatalogDep,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=200)],
    display_name: Annotated[str, Form(max_length=64)] = "",
    departments: Annotated[list[str] | None, Form(max_length=50)] = None,
    csrf_token: Csrf = "",
) -> Response:
    if staff_session is None:
        return _to_login(request)
    check_csrf(staff_session, csrf_token)
    if staff_session.user.role != "admin":
        return _render(request, "staff/base.html", staff_session, 403, error="您的账号没有这项权限。")
    try:
        service.create_user(
            session,
            catalog,
            staff_session.user,
            username=username,
            display_name=display_name,
            role=role,
            departments_=departments or [],
            password=password,
            client=client_key(request),
        )
    except service.Refused as exc:
        return _users_page(request, staff_session, session, catalog, status=exc.status, error=exc.message)
    return _users_page(request, staff_session, session, catalog, notice=f"已创建账号 {username}")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    user_id: Annotated[int | None, Query()] = None,
) -> Response:
    if staff_session is None:
        return _to_login(request)
    if staff_session.user.role not in ("admin", "supervisor"):
        return _render(request, "staff/base.html", staff_session, 403, error="您的账号没有这项权限。")
    users = staff.list_users(session)
    subject = next((u for u in users if u.id == user_id), users[0] if users else None)
    events = service.audit_view(audit.for_user(session, user_id=subject.id)) if subject else []
    return _render(request, "staff/audit.html", staff_session, users=users, subject=subject, events=events)


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    catalog: CatalogDep,
    date_from: Annotated[str, Query(max_length=10)] = "",
    date_to: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    if staff_session is None:
        return _to_login(request)
    if staff_session.user.role not in ("admin", "supervisor"):
        return _render(request, "staff/base.html", staff_session, 403, error="您的账号没有这项权限。")
    report = analytics_report(session, catalog, _day(date_from), _day(date_to))
    return _render(request, "staff/analytics.html", staff_session, report=report, funnel=funnel_bars(report))


FUNNEL_LABELS = (
    ("started", "开始对话"),
    ("scenario_found", "找到场景"),
    ("questions_answered", "答完引导问题"),
    ("form_complete", "填完表单"),
    ("submitted", "提交申请"),
    ("accepted", "已受理"),
    ("approved", "已办结"),
)


def funnel_bars(report: Analytics) -> list[dict[str, Any]]:
    """The funnel over every scenario and channel, as bars the page draws in SVG (width in % of the
    first step; each bar also says its count and its share, so colour is never the only signal)."""
    totals = {"started": sum(report.sessions_by_channel.values())}
    for key, _ in FUNNEL_LABELS[1:]:
        totals[key] = sum(getattr(row, key) for row in report.rows)
    top = max(totals.values()) or 1
    return [
        {
            "label": label,
            "count": totals[key],
            "width": round(100 * totals[key] / top, 1),
            "share": f"{100 * totals[key] / totals['started']:.0f}%" if totals["started"] else "—",
        }
        for key, label in FUNNEL_LABELS
    ]
