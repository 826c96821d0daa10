"""What a trainer does with a group, each step audited: pick an intent (with entity spans), mark it
out of scope, ask for a new scenario, or ignore it. The JSON API and the /staff pages both call
these functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.db import audit
from api.db.models import InboxGroup, StaffUser, utcnow
from api.review.service import Refused
from api.trainer_inbox.domain import Choices

TRAINER_ROLES = ("trainer", "admin")
ACTIONS = ("intent", "out_of_scope", "new_scenario", "ignore")
MAX_ENTITIES = 10
MAX_NOTE_CHARS = 1000

NOT_FOUND = Refused(404, "group_not_found", "没有这一组消息。")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    entity: str


def check_role(user: StaffUser) -> None:
    if user.role not in TRAINER_ROLES:
        raise Refused(403, "forbidden", "您的账号没有这项权限。")


def get_group(session: Session, user: StaffUser, group_id: int) -> InboxGroup:
    check_role(user)
    group = session.get(InboxGroup, group_id)
    if group is None:
        raise NOT_FOUND
    return group


def check_spans(text: str, spans: list[Span], choices: Choices) -> list[dict[str, Any]]:
    """Entity spans inside the text, of entities the domain has, not overlapping, not blank."""
    if len(spans) > MAX_ENTITIES:
        raise Refused(422, "too_many_entities", f"一条消息最多标注 {MAX_ENTITIES} 个实体。")
    out: list[dict[str, Any]] = []
    for span in sorted(spans, key=lambda s: s.start):
        if span.entity not in choices.entities:
            raise Refused(422, "unknown_entity", f"没有名为“{span.entity}”的实体。")
        if not (0 <= span.start < span.end <= len(text)) or not text[span.start : span.end].strip():
            raise Refused(422, "bad_span", "标注的位置不在这条消息里，请重新选择文字。")
        if out and span.start < out[-1]["end"]:
            raise Refused(422, "overlapping_spans", "两个实体标注重叠了，请重新选择。")
        out.append({"start": span.start, "end": span.end, "entity": span.entity, "value": text[span.start : span.end]})
    return out


def act(
    session: Session,
    user: StaffUser,
    choices: Choices,
    group_id: int,
    *,
    action: str,
    out_of_scope_intent: str,
    intent: str | None = None,
    spans: list[Span] | None = None,
    note: str = "",
    client: str | None = None,
) -> InboxGroup:
    """Apply one trainer action to a group (not yet exported); audited with before and after."""
    group = get_group(session, user, group_id)
    if group.state == "exported":
        raise Refused(409, "already_exported", "这一组已导出到训练数据，不能再修改。")
    if action not in ACTIONS:
        raise Refused(422, "unknown_action", "不支持这个操作。")
    before = _snapshot(group)
    group.note = note.strip()[:MAX_NOTE_CHARS] or None
    if action == "ignore":
        group.state = "ignored"
    elif action == "intent":
        if intent not in choices.intents:
            raise Refused(422, "unknown_intent", "请从列表中选择一个意图。")
        group.label, group.intent, group.state = "intent", intent, "labelled"
        group.entities = check_spans(group.text, spans or [], choices)
    elif action == "out_of_scope":
        group.label, group.intent, group.entities, group.state = "out_of_scope", out_of_scope_intent, None, "labelled"
    else:  # new_scenario: a request to the scenario authors, not training data
        if not group.note:
            raise Refused(422, "note_required", "请写明需要什么新场景。")
        group.label, group.intent, group.entities, group.state = "new_scenario", None, None, "labelled"
    group.labelled_by, group.updated_at = user.username, utcnow()
    audit.record(
        session,
        actor=user,
        action=f"inbox_{action}",
        target=f"inbox_group:{group.id}",
        before=before,
        after=_snapshot(group),
        client=client,
    )
    session.flush()
    return group


def _snapshot(group: InboxGroup) -> dict[str, Any]:
    return {
        "state": group.state,
        "label": group.label,
        "intent": group.intent,
        "entities": group.entities,
        "note": group.note,
    }
