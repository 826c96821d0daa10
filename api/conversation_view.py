"""What a citizen's page shows of their conversation: the history, and the one form beside it.

Built from Rasa's tracker (read by the API with Rasa's token, never by the browser) and the
engine's plan for the scenario and the guiding answers given so far. Personal data is masked
here, once: in the history, and in every form value of a personal kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.catalog.loader import Catalog
from api.engine.form import FormField, MergedForm
from api.engine.plan import AnswersInvalid, compute_plan
from privacy import PERSONAL_KINDS, mask_text, mask_value

MAX_HISTORY = 200  # messages shown after a reload; older ones stay in the tracker only


def _buttons(event: Mapping[str, Any]) -> list[dict[str, str]]:
    data = event.get("data") or {}
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
        for b in data.get("buttons") or []
        if isinstance(b, dict)
    ]


def history(events: list[Mapping[str, Any]], known: list[str]) -> list[dict[str, Any]]:
    """The user's and the bot's messages, oldest first, masked; button taps show their title."""
    titles: dict[str, str] = {}
    out: list[dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "bot" and (event.get("text") or _buttons(event)):
            buttons = _buttons(event)
            titles.update({b["payload"]: b["title"] for b in buttons})
            out.append({"from": "bot", "text": mask_text(str(event.get("text") or ""), known), "buttons": buttons})
        elif kind == "user" and event.get("text"):
            text = str(event["text"])
            out.append({"from": "user", "text": mask_text(titles.get(text, text), known), "buttons": []})
    return out[-MAX_HISTORY:]


def _display(value: Any, labels: Mapping[Any, str], kind: str) -> str:
    if kind in PERSONAL_KINDS:
        return mask_value(kind, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(labels.get(value, value))


def _labels(field: FormField) -> dict[Any, str]:
    rule = field.definition.validator
    return {c.value: c.label for c in rule.choices} if rule.kind == "choice" else {}


def form_view(form: MergedForm, slots: Mapping[str, Any], catalog: Catalog) -> list[dict[str, Any]]:
    """The merged form by group: each field filled (masked), still to come, or derived."""
    groups: dict[str, dict[str, Any]] = {g.id: {"id": g.id, "label": g.label, "fields": []} for g in form.groups}
    for field in form.fields:
        value = slots.get(field.id)
        entry: dict[str, Any] = {
            "id": field.id,
            "label": field.label,
            "departments": sorted({p.department for p in field.provenance}),
            "state": "pending",
            "value": None,
        }
        if field.derived_from:
            entry["state"] = "derived"
            entry["derived_from"] = catalog.fields[field.derived_from.field].label
        elif value not in (None, ""):
            entry["state"] = "filled"
            entry["value"] = _display(value, _labels(field), field.definition.validator.kind)
        groups[field.definition.group]["fields"].append(entry)
    return [g for g in groups.values() if g["fields"]]


def case_view(slots: Mapping[str, Any], catalog: Catalog) -> dict[str, Any] | None:
    """The scenario in hand: questions answered, the plan so far (a typed `Plan`, or None while the
    answers do not make one) and the form; None before one is chosen."""
    scenario = catalog.scenarios.get(str(slots.get("scenario") or ""))
    if scenario is None:
        return None
    answers = {q.id: slots[q.id] for q in scenario.questions if slots.get(q.id) is not None}
    questions = [
        {
            "id": q.id,
            "label": q.label,
            "answered": q.id in answers,
            "answer": _display(answers[q.id], {}, q.validator.kind) if q.id in answers else None,
        }
        for q in scenario.questions
    ]
    view: dict[str, Any] = {
        "scenario_id": scenario.id,
        "scenario_name": scenario.name,
        "questions": questions,
        "decided": len(answers) == len(scenario.questions),
        "application_number": slots.get("application_number"),
        "plan": None,
        "form": [],
    }
    try:
        plan = compute_plan(scenario, answers, catalog)
    except AnswersInvalid:
        return view
    view["plan"] = plan  # the typed plan: the route renders it (api/routes/schemas.py)
    view["form"] = form_view(plan.form, slots, catalog)
    return view


def conversation_view(tracker: Mapping[str, Any], catalog: Catalog) -> dict[str, Any]:
    """History and case of one conversation, as the page shows them after a reload."""
    slots = tracker.get("slots") or {}
    return {
        "messages": history(tracker.get("events") or [], catalog.personal_values(slots)),
        "case": case_view(slots, catalog),
    }
