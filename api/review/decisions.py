"""An officer's decision on one item: checked against the state table, the stages and the officer's
departments, applied, and audited with before and after, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from api.auth.roles import may_review
from api.db import audit, outbox
from api.db.models import Application, ApplicationItem, StaffUser
from api.review.transitions import TransitionRefused, check, settle_status, unmet_prerequisites

# What the citizen is told (by SMS through the outbox) after each decision.
NOTICES = {
    "accept": "您的申请（受理编号{number}）中的“{item}”已受理。",
    "approve": "您的申请（受理编号{number}）中的“{item}”已办结。",
    "reject": "您的申请（受理编号{number}）中的“{item}”未通过：{reason}",
    "request_correction": "您的申请（受理编号{number}）中的“{item}”需要补正：{fields}。说明：{reason}"
    "请在进度查询页或对话中补正。",
}


class NotYours(PermissionError):
    """The item belongs to a department the officer does not review."""


def item_of(app: Application, item_id: str) -> ApplicationItem:
    item = next((it for it in app.items if it.item_id == item_id), None)
    if item is None:
        raise TransitionRefused("这份申请里没有这个事项。")
    return item


def may_decide(user: StaffUser, item: ApplicationItem) -> bool:
    """A reviewer of the item's department, or the reviewer a supervisor assigned it to."""
    return may_review(user.role) and (item.department in user.departments or item.assignee == user.username)


def decide(
    session: Session,
    *,
    app: Application,
    item_id: str,
    action: str,
    actor: StaffUser,
    reason: str = "",
    fields: list[str] | None = None,
    form_fields: Mapping[str, str] | None = None,
    client: str | None = None,
) -> ApplicationItem:
    """Apply one action to one item; raises TransitionRefused (with the officer's message) or NotYours.
    `form_fields`: the application's merged form (field id → label), the only fields a correction may name."""
    form_fields = form_fields or {}
    item = item_of(app, item_id)
    if not may_decide(actor, item):
        raise NotYours(item.department)
    fields = fields or []
    spec = check(action, item.status, reason=reason, fields=fields)
    unknown = [f for f in fields if f not in form_fields]
    if unknown:
        raise TransitionRefused("所选补正项不在这份申请的表单里。")
    if action == "approve":
        statuses = {it.item_id: it.status for it in app.items}
        unmet = unmet_prerequisites(app.plan_snapshot, statuses, item_id)
        if unmet:
            names = "、".join(item_of(app, p).item_name for p in unmet)
            raise TransitionRefused(f"须先办结前置事项：{names}。")
    before = {"status": item.status, "application_status": app.status}
    item.status = spec.target
    item.reason = reason.strip() or None
    item.correction_fields = fields or None
    item.decided_by = actor.username
    settle_status(app)
    after = {"status": item.status, "application_status": app.status}
    if item.reason:
        after["reason"] = item.reason
    if fields:
        after["fields"] = fields
    outbox.enqueue(
        session,
        application_number=app.number,
        recipient=app.phone,
        text=NOTICES[action].format(
            number=app.number,
            item=item.item_name,
            reason=item.reason or "",
            fields="、".join(form_fields.get(f, f) for f in fields),
        ),
    )
    audit.record(
        session,
        actor=actor,
        action=f"item.{action}",
        application_number=app.number,
        target=item_id,
        before=before,
        after=after,
        client=client,
    )
    session.flush()
    return item
