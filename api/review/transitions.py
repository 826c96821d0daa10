"""Every state change of an application's items, in one table, and the application's overall status
as it follows from its items. An action not allowed from the item's state is refused with a message
an officer can act on; approving respects the plan's stages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.db.models import Application


class TransitionRefused(ValueError):
    """The action is not allowed now; the message says why, in Chinese."""


@dataclass(frozen=True)
class Action:
    label: str  # what the officer presses
    sources: dict[str, str]  # from status → the label of this action from there
    target: str
    needs_reason: bool = False
    needs_fields: bool = False


ACTIONS: dict[str, Action] = {
    "accept": Action("受理", {"pending": "受理"}, "in_review"),
    "approve": Action("办结", {"in_review": "办结"}, "approved"),
    "reject": Action(
        "不予受理/不予许可", {"pending": "不予受理", "in_review": "不予许可"}, "rejected", needs_reason=True
    ),
    "request_correction": Action(
        "补正", {"pending": "补正", "in_review": "补正"}, "need_more", needs_reason=True, needs_fields=True
    ),
    # Not an officer's action: the citizen's corrected version puts the item back in the queue.
    "resubmitted": Action("重新提交", {"need_more": "重新提交"}, "pending"),
}
STAFF_ACTIONS = ("accept", "approve", "reject", "request_correction")


def allowed_actions(status: str) -> list[tuple[str, str]]:
    """(action, label) an officer can take on an item in this status."""
    return [(name, ACTIONS[name].sources[status]) for name in STAFF_ACTIONS if status in ACTIONS[name].sources]


def unmet_prerequisites(plan: Mapping[str, Any], statuses: Mapping[str, str], item_id: str) -> list[str]:
    """The prerequisites of this item, in this application, not yet approved. Items of one joint group
    (mutual prerequisites resolved by joint review) do not wait for each other."""
    joint = {
        other
        for stage in plan.get("stages", [])
        for group in stage.get("joint_groups", [])
        if item_id in group["items"]
        for other in group["items"]
    }
    item = next((it for it in plan.get("items", []) if it["id"] == item_id), None)
    if item is None:
        return []
    return [p for p in item.get("prerequisites", []) if p not in joint and statuses.get(p, "approved") != "approved"]


def check(action: str, status: str, *, reason: str = "", fields: Iterable[str] = ()) -> Action:
    """The action if it may be taken on an item in `status`; raises TransitionRefused otherwise."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise TransitionRefused("没有这种办理操作。")
    if status not in spec.sources:
        raise TransitionRefused(f"该事项当前状态下不能“{spec.label}”。")
    if spec.needs_reason and not reason.strip():
        raise TransitionRefused("请填写理由，申请人会看到它。")
    if spec.needs_fields and not list(fields):
        raise TransitionRefused("请选择需要补正的表单项。")
    return spec


def application_status(item_statuses: Iterable[str]) -> str:
    """need_more while any item waits for a correction; approved/rejected/partly_approved once every
    item is decided; in_review once any is under way; otherwise submitted."""
    statuses = list(item_statuses)
    if "need_more" in statuses:
        return "need_more"
    if statuses and all(s in ("approved", "rejected") for s in statuses):
        if all(s == "approved" for s in statuses):
            return "approved"
        return "rejected" if all(s == "rejected" for s in statuses) else "partly_approved"
    if any(s != "pending" for s in statuses):
        return "in_review"
    return "submitted"


def settle_status(app: Application) -> str:
    """Set the application's status from its items' and copy it onto every item (a department's
    queue reads it there, api/db/review_queue.py): the one place an application's status changes
    after submission."""
    app.status = application_status(it.status for it in app.items)
    for it in app.items:
        it.application_status = app.status
    return app.status
