"""What officers see of applications: queue rows and the detail, with personal data masked unless
an officer revealed one field (the route logs each reveal). Plain dicts; routes and pages render them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from api.catalog.loader import Catalog
from api.db.models import Application, StaffUser
from api.engine.form import form_schema
from api.engine.plan import AnswersInvalid, compute_plan
from api.review.decisions import may_decide
from api.review.transitions import allowed_actions
from api.statuses import APPLICATION_STATUSES, ITEM_STATUSES
from privacy import PERSONAL_KINDS, mask_name, mask_value


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Monday-to-Friday days after start's day up to end's day (public holidays are not in the
    catalog). Counted per whole week, not per day: a queue page asks it for 50 applications."""
    first = aware(start).date()
    days = (aware(end).date() - first).days
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    return weeks * 5 + sum((first.weekday() + k) % 7 < 5 for k in range(1, rest + 1))


def statutory_days(catalog: Catalog, scenario_id: str, item_ids: Iterable[str]) -> int | None:
    """The shortest statutory limit (working days) among these items, when the catalog gives one."""
    scenario = catalog.scenarios.get(scenario_id)
    if scenario is None:
        return None
    wanted = set(item_ids)
    days = [
        d
        for it in scenario.items
        if it.id in wanted and (d := getattr(it.time_limit, "statutory_days", None)) is not None and d > 0
    ]
    return min(days) if days else None


def _deadline(app: Application, catalog: Catalog, now: dt.datetime) -> dict[str, Any]:
    open_items = [it.item_id for it in app.items if it.status in ("pending", "in_review")]
    waited = working_days_between(app.created_at, now)
    limit = statutory_days(catalog, app.scenario_id, open_items)
    warning = ""
    if limit is not None:
        if waited > limit:
            warning = f"已超过法定时限（{limit}个工作日）"
        elif waited >= max(limit - 1, 0):
            warning = f"即将到期（法定{limit}个工作日）"
    return {"waited_working_days": waited, "statutory_days": limit, "warning": warning}


def queue_row(app: Application, catalog: Catalog, now: dt.datetime) -> dict[str, Any]:
    scenario = catalog.scenarios.get(app.scenario_id)
    return {
        "number": app.number,
        "scenario_id": app.scenario_id,
        "scenario_name": scenario.name if scenario else app.scenario_id,
        "applicant": mask_name(app.applicant_name),
        "channel": app.channel,
        "status": app.status,
        "status_label": APPLICATION_STATUSES.get(app.status, app.status),
        "created_at": aware(app.created_at).isoformat(),
        "items": [
            {"name": it.item_name, "department": it.department, "status_label": ITEM_STATUSES.get(it.status, it.status)}
            for it in app.items
        ],
        **_deadline(app, catalog, now),
    }


def merged_form(app: Application, catalog: Catalog) -> dict[str, Any]:
    """The merged form's JSON Schema for the application's answers (the stored snapshot keeps the
    items, stages and materials; the form is rebuilt from the catalog, cached by the engine)."""
    scenario = catalog.scenarios.get(app.scenario_id)
    if scenario is None:
        return {}
    try:
        return form_schema(compute_plan(scenario, app.answers, catalog).form)
    except AnswersInvalid:
        return {}


def _value(value: Any, prop: dict[str, Any]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    labels = prop.get("x-enum-labels") or {}
    return str(labels.get(value, value))


def changes(
    previous: dict[str, Any] | None, current: dict[str, Any], props: dict[str, Any], catalog: Catalog
) -> list[dict[str, str]]:
    """What the last correction changed, field by field, masked like the form."""
    if previous is None:
        return []
    out = []
    for fid in dict.fromkeys([*props, *current, *previous]):
        if previous.get(fid) == current.get(fid):
            continue
        field = catalog.fields.get(fid)
        kind = field.validator.kind if field else "text"
        prop = props.get(fid, {})

        def shown(value: Any, kind: str = kind, prop: dict[str, Any] = prop) -> str:
            if value is None:
                return "（未填）"
            return mask_value(kind, value) if kind in PERSONAL_KINDS else _value(value, prop)

        out.append(
            {
                "label": prop.get("title", field.label if field else fid),
                "before": shown(previous.get(fid)),
                "after": shown(current.get(fid)),
            }
        )
    return out


def detail(
    app: Application,
    user: StaffUser,
    catalog: Catalog,
    now: dt.datetime,
    revealed: dict[str, str] | None = None,
    previous: dict[str, Any] | None = None,
    transcript: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The application as the officer reviews it; `revealed` holds the one field shown in full,
    `previous` the form of the version before (its changes are listed) and `transcript` the
    conversation captured at submission (masked when it was stored)."""
    plan = app.plan_snapshot
    form = merged_form(app, catalog)
    props: dict[str, Any] = form.get("properties", {})
    revealed = revealed or {}
    groups: dict[str, dict[str, Any]] = {g["id"]: {**g, "fields": []} for g in form.get("x-groups", [])}
    for fid in form.get("x-order", []):
        prop = props[fid]
        field = catalog.fields.get(fid)
        kind = field.validator.kind if field else prop.get("x-validator", "text")
        raw = app.form_data.get(fid)
        personal = kind in PERSONAL_KINDS
        shown = "" if raw is None else (revealed.get(fid) or (mask_value(kind, raw) if personal else _value(raw, prop)))
        groups.setdefault(prop.get("x-group", "other"), {"id": "other", "label": "其他", "fields": []})[
            "fields"
        ].append(
            {
                "id": fid,
                "label": prop.get("title", fid),
                "value": shown,
                "filled": raw is not None,
                "personal": personal,
                "revealed": fid in revealed,
                "derived": bool(prop.get("x-derived-from")),
                "used_by": [p["item_name"] for p in prop.get("x-provenance", [])],
            }
        )
    statuses = {it.item_id: it for it in app.items}
    names = {it.item_id: it.item_name for it in app.items}
    items = [
        {
            "id": it.item_id,
            "name": it.item_name,
            "department": it.department,
            "stage": it.stage,
            "status": it.status,
            "status_label": ITEM_STATUSES.get(it.status, it.status),
            "reason": it.reason,
            "correction_fields": it.correction_fields or [],
            "correction_labels": [props.get(f, {}).get("title", f) for f in it.correction_fields or []],
            "decided_by": it.decided_by,
            "assignee": it.assignee,
            "actions": [{"action": a, "label": label} for a, label in allowed_actions(it.status)]
            if may_decide(user, it)
            else [],
        }
        for it in app.items
    ]
    stages = [
        {
            "stage": st["stage"],
            "parallel": st.get("parallel", False),
            "items": [{"name": names.get(i, i), "status_label": _item_label(statuses.get(i))} for i in st["items"]],
            "joint": [g["resolution"] for g in st.get("joint_groups", []) if g.get("resolution")],
        }
        for st in plan.get("stages", [])
    ]
    received = set(app.materials_received or [])
    materials = [
        {"id": m["id"], "name": m["name"], "note": m.get("note", ""), "received": m["id"] in received}
        for m in plan.get("materials", [])
        if m.get("kind", "bring") == "bring"
    ]
    scenario = catalog.scenarios.get(app.scenario_id)
    return {
        "number": app.number,
        "scenario_name": scenario.name if scenario else app.scenario_id,
        "status": app.status,
        "status_label": APPLICATION_STATUSES.get(app.status, app.status),
        "channel": app.channel,
        "version": app.version,
        "created_at": aware(app.created_at).isoformat(),
        "applicant": revealed.get("applicant_name") or mask_name(app.applicant_name),
        "form": [g for g in groups.values() if g["fields"]],
        "items": items,
        "stages": stages,
        "materials": materials,
        "changes": changes(previous, app.form_data, props, catalog),
        "transcript": transcript or [],
        "conversation_turns": app.conversation_turns,
        **_deadline(app, catalog, now),
    }


def _item_label(item: Any) -> str:
    return ITEM_STATUSES.get(item.status, item.status) if item is not None else ""
