"""The trainer inbox pages under /staff/inbox (trainer and admin): the list of groups, one group
with its examples and the trainer's actions (CSRF on every form), and the export download. Entity
spans are marked by selecting text (api/static/js/inbox-spans.js); everything else works without
script."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError

from api.auth.session import OptionalStaffDep, check_csrf
from api.deps import DbSession
from api.ratelimit import client_key
from api.review.service import Refused
from api.routes.inbox import (
    KIND_LABELS,
    LABEL_LABELS,
    STATE_LABELS,
    ActionRequest,
    EntitySpan,
    KindFilter,
    StateFilter,
    apply_action,
    export_file,
    group_detail,
    inbox_page,
)
from api.routes.staff_pages import Csrf, _render, _to_login

router = APIRouter(prefix="/staff/inbox", include_in_schema=False)
SPANS = TypeAdapter(list[EntitySpan])
LABELS = {"states": STATE_LABELS, "kinds": KIND_LABELS, "labels": LABEL_LABELS}


def _refused(request: Request, staff_session: Any, exc: Refused) -> Response:
    return _render(request, "staff/base.html", staff_session, exc.status, error=exc.message)


@router.get("", response_class=HTMLResponse)
def inbox_list(
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    state: Annotated[StateFilter, Query()] = "new",
    kind: Annotated[KindFilter, Query()] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if staff_session is None:
        return _to_login(request)
    try:
        data = inbox_page(session, staff_session.user, request.app.state.settings, state, kind, page)
    except Refused as exc:
        return _refused(request, staff_session, exc)

    def query(**changes: Any) -> str:
        merged = {"state": state, "kind": kind, "page": page, **changes}
        # "state=" stays in the link: without it the list shows the default, the new groups
        return urlencode({k: v for k, v in merged.items() if v != "" or k == "state"})

    return _render(
        request, "staff/inbox.html", staff_session, inbox=data, state=state, kind=kind, query=query, **LABELS
    )


def _group_page(request: Request, staff_session: Any, session: DbSession, group_id: int, **ctx: Any) -> Response:
    status = ctx.pop("status", 200)
    try:
        group = group_detail(session, staff_session.user, request.app.state.settings, group_id)
    except Refused as exc:
        return _refused(request, staff_session, exc)
    spans = json.dumps([e.model_dump(exclude={"value"}) for e in group.entities], ensure_ascii=False)
    return _render(
        request, "staff/inbox_group.html", staff_session, status, group=group, entities_json=spans, **LABELS, **ctx
    )


@router.get("/{group_id}", response_class=HTMLResponse)
def inbox_group(group_id: int, request: Request, staff_session: OptionalStaffDep, session: DbSession) -> Response:
    if staff_session is None:
        return _to_login(request)
    return _group_page(request, staff_session, session, group_id)


@router.post("/{group_id}", response_class=HTMLResponse)
def inbox_action(
    group_id: int,
    request: Request,
    staff_session: OptionalStaffDep,
    session: DbSession,
    action: Annotated[str, Form(max_length=16)],
    intent: Annotated[str, Form(max_length=64)] = "",
    entities: Annotated[str, Form(max_length=4000)] = "[]",
    note: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Csrf = "",
) -> Response:
    if staff_session is None:
        return _to_login(request)
    check_csrf(staff_session, csrf_token)
    try:
        spans = SPANS.validate_python(json.loads(entities or "[]"))
        body = ActionRequest(action=action, intent=intent or None, entities=spans, note=note)
    except (ValueError, ValidationError):
        return _group_page(request, staff_session, session, group_id, status=422, error="提交的内容有误，请重试。")
    try:
        apply_action(session, staff_session.user, request.app.state.settings, group_id, body, client_key(request))
    except Refused as exc:
        session.rollback()
        return _group_page(request, staff_session, session, group_id, status=exc.status, error=exc.message)
    return RedirectResponse(f"/staff/inbox/{group_id}?done={action}", status_code=303)


@router.post("/export/file")
def inbox_export(
    request: Request, staff_session: OptionalStaffDep, session: DbSession, csrf_token: Csrf = ""
) -> Response:
    if staff_session is None:
        return _to_login(request)
    check_csrf(staff_session, csrf_token)
    try:
        return export_file(session, staff_session.user, request.app.state.settings, client_key(request))
    except Refused as exc:
        return _refused(request, staff_session, exc)
