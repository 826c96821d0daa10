"""Staff API: sign-in, the review queue, an application's detail, decisions, reveals, material
ticks, the audit trail and accounts. The /staff pages call the same service functions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import login as login_service
from api.auth.roles import ROLES
from api.auth.session import StaffDep, check_csrf, clear_cookie, require_role, set_cookie
from api.db import analytics, audit, staff
from api.db.models import StaffUser
from api.db.review_queue import QueueFilter
from api.deps import CatalogDep, DbSession
from api.errors import ApiError
from api.ratelimit import client_key
from api.review import service

router = APIRouter(prefix="/staff", tags=["staff"])
CsrfHeader = Annotated[str | None, Header(alias="X-CSRF-Token", max_length=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(Strict):
    username: str = Field(max_length=64)
    password: str = Field(max_length=200)


class StaffMe(BaseModel):
    username: str
    display_name: str
    role: Literal["reviewer", "supervisor", "trainer", "admin"]
    role_label: str
    departments: list[str]


class LoginResult(BaseModel):
    user: StaffMe
    csrf_token: str = Field(description="每个修改请求都要在 X-CSRF-Token 头里带上它")


class QueueItem(BaseModel):
    name: str
    department: str
    status_label: str


class QueueRow(BaseModel):
    number: str
    scenario_id: str
    scenario_name: str
    applicant: str = Field(description="已遮蔽")
    channel: str
    status: str
    status_label: str
    created_at: str
    items: list[QueueItem]
    waited_working_days: int
    statutory_days: int | None
    warning: str


class QueuePage(BaseModel):
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


class DetailField(BaseModel):
    id: str
    label: str
    value: str
    filled: bool
    personal: bool
    revealed: bool
    derived: bool
    used_by: list[str]


class DetailGroup(BaseModel):
    id: str
    label: str
    fields: list[DetailField]


class ItemAction(BaseModel):
    action: str
    label: str


class DetailItem(BaseModel):
    id: str
    name: str
    department: str
    stage: int
    status: str
    status_label: str
    reason: str | None
    correction_fields: list[str]
    correction_labels: list[str]
    decided_by: str | None
    assignee: str | None = Field(description="科室负责人改派给的审核人员")
    actions: list[ItemAction]


class StageItem(BaseModel):
    name: str
    status_label: str


class DetailStage(BaseModel):
    stage: int
    parallel: bool
    items: list[StageItem]
    joint: list[str]


class DetailMaterial(BaseModel):
    id: str
    name: str
    note: str
    received: bool


class FieldChange(BaseModel):
    label: str
    before: str
    after: str


class TranscriptEntry(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    speaker: Literal["user", "bot"] = Field(alias="from")
    text: str


class ApplicationDetail(BaseModel):
    number: str
    scenario_name: str
    status: str
    status_label: str
    channel: str
    version: int
    created_at: str
    applicant: str
    form: list[DetailGroup]
    items: list[DetailItem]
    stages: list[DetailStage]
    materials: list[DetailMaterial]
    changes: list[FieldChange] = Field(description="上一版本以来补正修改的内容（已遮蔽）")
    transcript: list[TranscriptEntry] = Field(description="提交时的对话记录（已遮蔽）")
    conversation_turns: int | None = Field(description="提交前市民发送的消息数")
    waited_working_days: int
    statutory_days: int | None
    warning: str


class DecisionRequest(Strict):
    action: Literal["accept", "approve", "reject", "request_correction"]
    reason: str = Field(default="", max_length=1000)
    fields: list[str] = Field(default_factory=list, max_length=50)


class AssignRequest(Strict):
    username: str = Field(default="", max_length=64, description="审核人员的用户名；空：退回本部门")


class RevealRequest(Strict):
    field: str = Field(max_length=64)


class Revealed(BaseModel):
    field: str
    value: str


class MaterialTick(Strict):
    material_id: str = Field(max_length=64)
    received: bool


class AuditEntry(BaseModel):
    at: str
    actor: str
    action: str
    application_number: str | None
    target: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class UserCreate(Strict):
    username: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=64)
    role: Literal["reviewer", "supervisor", "trainer", "admin"]
    departments: list[str] = Field(default_factory=list, max_length=50)
    password: str = Field(max_length=200)


class UserView(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    departments: list[str]
    active: bool


def me_view(user: StaffUser) -> StaffMe:
    return StaffMe(
        username=user.username,
        display_name=user.display_name,
        role=user.role,  # type: ignore[arg-type]
        role_label=ROLES.get(user.role, user.role),
        departments=list(user.departments),
    )


def user_view(user: StaffUser) -> UserView:
    return UserView(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        role_label=ROLES.get(user.role, user.role),
        departments=list(user.departments),
        active=user.active,
    )


def refused(exc: service.Refused) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message)


@router.post("/login", response_model=LoginResult)
def login(body: LoginRequest, request: Request, response: Response, session: DbSession) -> LoginResult:
    """Sign in; sets the session cookie. Limited per client; an account locks after repeated failures."""
    client = client_key(request)
    request.app.state.rate_limits.hit("login_client", client)
    cfg = request.app.state.settings
    try:
        row, token = login_service.attempt(
            session,
            username=body.username,
            password=body.password,
            client=client,
            max_failures=cfg.LOGIN_MAX_FAILURES,
            lock_minutes=cfg.LOGIN_LOCK_MINUTES,
        )
    except login_service.LoginRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    set_cookie(request, response, token)
    return LoginResult(user=me_view(row.user), csrf_token=row.csrf_token)


@router.post("/logout", status_code=204)
def logout(staff_session: StaffDep, session: DbSession, csrf: CsrfHeader = None) -> Response:
    check_csrf(staff_session, csrf)
    staff.end_session(session, row=staff_session)
    audit.record(session, actor=staff_session.user, action="logout")
    session.commit()
    response = Response(status_code=204)
    clear_cookie(response)
    return response


@router.get("/me", response_model=LoginResult)
def me(staff_session: StaffDep) -> LoginResult:
    return LoginResult(user=me_view(staff_session.user), csrf_token=staff_session.csrf_token)


@router.get("/applications", response_model=QueuePage)
def list_applications(
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    status: Annotated[str | None, Query(max_length=24)] = None,
    scenario_id: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=200)] = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    number: Annotated[str | None, Query(max_length=32)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> dict[str, Any]:
    """The review queue, longest waiting first; a reviewer sees only their departments' applications."""
    f = QueueFilter(
        status=status or None,
        scenario_id=scenario_id or None,
        department=department or None,
        channel=channel or None,
        date_from=date_from,
        date_to=date_to,
        number=(number or "").strip().upper() or None,
    )
    try:
        return service.queue(
            session, staff_session.user, catalog, f, number=page, size=request.app.state.settings.STAFF_PAGE_SIZE
        )
    except service.Refused as exc:
        raise refused(exc) from None


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:  # a cell starting with = + - @ would be a formula in a spreadsheet
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return "\ufeff" + out.getvalue()  # BOM: Excel opens UTF-8 Chinese correctly


@router.get("/applications.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_applications(
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    status: Annotated[str | None, Query(max_length=24)] = None,
    scenario_id: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=200)] = None,
    channel: Annotated[str | None, Query(max_length=16)] = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    number: Annotated[str | None, Query(max_length=32)] = None,
    unmasked: bool = False,
) -> Response:
    """The filtered queue as CSV (UTF-8): personal data masked unless an admin asks otherwise; audited."""
    f = QueueFilter(
        status=status or None,
        scenario_id=scenario_id or None,
        department=department or None,
        channel=channel or None,
        date_from=date_from,
        date_to=date_to,
        number=(number or "").strip().upper() or None,
    )
    try:
        rows = service.export_rows(
            session, staff_session.user, catalog, f, unmasked=unmasked, client=client_key(request)
        )
    except service.Refused as exc:
        raise refused(exc) from None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")
    return Response(
        _csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="applications-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/applications/{number}", response_model=ApplicationDetail)
def application_detail(number: str, staff_session: StaffDep, session: DbSession, catalog: CatalogDep) -> dict[str, Any]:
    """One application as the officer reviews it; personal data masked."""
    try:
        return service.application_detail(session, staff_session.user, catalog, number.strip().upper()[:32])
    except service.Refused as exc:
        raise refused(exc) from None


@router.post("/applications/{number}/reveal", response_model=Revealed)
def reveal_field(
    number: str,
    body: RevealRequest,
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    csrf: CsrfHeader = None,
) -> Revealed:
    """One personal field in full (显示); every reveal is audited."""
    check_csrf(staff_session, csrf)
    try:
        value = service.reveal(session, staff_session.user, catalog, number[:32], body.field, client_key(request))
    except service.Refused as exc:
        raise refused(exc) from None
    return Revealed(field=body.field, value=value)


@router.post("/applications/{number}/items/{item_id}/decision", response_model=ApplicationDetail)
def decide_item(
    number: str,
    item_id: str,
    body: DecisionRequest,
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    csrf: CsrfHeader = None,
) -> dict[str, Any]:
    """受理 / 办结 / 不予受理·不予许可 (with a reason) / 补正 (fields and a message) on one item."""
    check_csrf(staff_session, csrf)
    user = staff_session.user
    try:
        service.decision(
            session,
            user,
            catalog,
            number[:32],
            item_id[:64],
            action=body.action,
            reason=body.reason,
            fields=body.fields,
            client=client_key(request),
        )
        return service.application_detail(session, user, catalog, number[:32])
    except service.Refused as exc:
        raise refused(exc) from None


@router.post("/applications/{number}/items/{item_id}/assign", response_model=ApplicationDetail)
def assign_item(
    number: str,
    item_id: str,
    body: AssignRequest,
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    csrf: CsrfHeader = None,
) -> dict[str, Any]:
    """改派 (supervisors): give an item to a reviewer, or back to its department."""
    check_csrf(staff_session, csrf)
    try:
        service.assign(session, staff_session.user, number[:32], item_id[:64], body.username, client_key(request))
        return service.application_detail(session, staff_session.user, catalog, number[:32])
    except service.Refused as exc:
        raise refused(exc) from None


@router.post("/applications/{number}/materials", response_model=ApplicationDetail)
def tick_material(
    number: str,
    body: MaterialTick,
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    csrf: CsrfHeader = None,
) -> dict[str, Any]:
    """Mark a material received or missing."""
    check_csrf(staff_session, csrf)
    user = staff_session.user
    try:
        service.tick_material(session, user, number[:32], body.material_id, body.received, client_key(request))
        return service.application_detail(session, user, catalog, number[:32])
    except service.Refused as exc:
        raise refused(exc) from None


@router.get("/applications/{number}/audit", response_model=list[AuditEntry])
def application_audit(
    number: str, staff_session: StaffDep, session: DbSession, catalog: CatalogDep
) -> list[dict[str, Any]]:
    """Everything staff did to this application, oldest first."""
    try:
        service.application_detail(session, staff_session.user, catalog, number[:32])  # visibility check
    except service.Refused as exc:
        raise refused(exc) from None
    return service.audit_view(audit.for_application(session, number=number[:32]))


class AnalyticsRow(BaseModel):
    scenario_id: str
    scenario_name: str
    channel: str
    scenario_found: int = Field(description="对话中找到了这个场景的会话数")
    questions_answered: int = Field(description="答完引导问题的会话数")
    form_complete: int = Field(description="填完联合申请表的会话数")
    submitted: int
    accepted: int = Field(description="至少一个事项已受理")
    approved: int
    median_minutes: float | None = Field(description="从开始对话到提交的分钟数（中位数）")
    median_turns: float | None = Field(description="提交前市民发送的消息数（中位数）")
    saved_entries: int = 0
    separate_materials: int = 0
    materials_to_bring: int = 0
    separate_days: int = 0
    merged_days: int = 0
    separate_steps: int = 0
    separate_trips: int = 0
    trips_online: int = 0


class FailingField(BaseModel):
    field_id: str
    label: str
    failures: int


class Analytics(BaseModel):
    date_from: dt.date
    date_to: dt.date
    sessions_by_channel: dict[str, int] = Field(description="开始的对话数")
    rows: list[AnalyticsRow]
    failing_fields: list[FailingField] = Field(description="校验未通过最多的表单项")


def analytics_report(session: DbSession, catalog: CatalogDep, date_from: dt.date | None, date_to: dt.date | None):
    end_day = date_to or dt.datetime.now(dt.UTC).date()
    start_day = date_from or end_day - dt.timedelta(days=29)
    start = dt.datetime.combine(start_day, dt.time(), dt.UTC)
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(), dt.UTC)
    data = analytics.report(session, start=start, end=end)
    for row in data["rows"]:
        sc = catalog.scenarios.get(row["scenario_id"])
        row["scenario_name"] = sc.name if sc else row["scenario_id"]
    for f in data["failing_fields"]:
        field = catalog.fields.get(f["field_id"])
        f["label"] = field.label if field else f["field_id"]
    return Analytics(date_from=start_day, date_to=end_day, **data)


@router.get("/analytics", response_model=Analytics)
def staff_analytics(
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> Analytics:
    """Per scenario and channel over a period (default: the last 30 days): conversations started,
    submitted, accepted, approved, minutes to submit, the fields that fail most, and 四减 totals."""
    require_role(staff_session, "admin", "supervisor")
    return analytics_report(session, catalog, date_from, date_to)


@router.get("/users", response_model=list[UserView])
def list_users(staff_session: StaffDep, session: DbSession) -> list[UserView]:
    require_role(staff_session, "admin")
    return [user_view(u) for u in staff.list_users(session)]


@router.post("/users", response_model=UserView, status_code=201)
def create_user(
    body: UserCreate,
    request: Request,
    staff_session: StaffDep,
    session: DbSession,
    catalog: CatalogDep,
    csrf: CsrfHeader = None,
) -> UserView:
    """An admin creates an account."""
    check_csrf(staff_session, csrf)
    require_role(staff_session, "admin")
    try:
        user = service.create_user(
            session,
            catalog,
            staff_session.user,
            username=body.username,
            display_name=body.display_name,
            role=body.role,
            departments_=body.departments,
            password=body.password,
            client=client_key(request),
        )
    except service.Refused as exc:
        raise refused(exc) from None
    return user_view(user)


@router.get("/users/{user_id}/audit", response_model=list[AuditEntry])
def user_audit(user_id: int, staff_session: StaffDep, session: DbSession) -> list[dict[str, Any]]:
    """What one staff member did (admins and supervisors, or the member themself)."""
    if staff_session.user.id != user_id:
        require_role(staff_session, "admin", "supervisor")
    return service.audit_view(audit.for_user(session, user_id=user_id))
