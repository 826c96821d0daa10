"""Answers that do not change the application: why/how a field is asked, and consultation
(materials, time limits, fees, where) with or without an application in progress."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, api
from actions.catalog import field_catalog
from actions.display import checklist
from actions.out_of_scope import OUT_OF_SCOPE_NONE, out_of_scope_answer
from actions.slots import latest_entities, latest_intent, question_answers
from actions.texts import text
from textnorm import answer_words


class ActionExplainField(Action):
    """'为什么要填这个' → the field's provenance; '怎么填/举个例子' → its help text and example."""

    def name(self) -> str:
        return "action_explain_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        named = next((e["value"] for e in latest_entities(tracker) if e.get("entity") == "field"), None)
        field_id = named or tracker.get_slot("requested_slot")
        intent, _ = latest_intent(tracker)
        try:
            fields = await field_catalog()
            scenario = await api.scenario(tracker.get_slot("scenario") or "")
            question = next((q for q in (scenario or {}).get("questions", []) if q["id"] == field_id), None)
            in_guide = (tracker.active_loop or {}).get("name") == "guide_form"
            if question and (in_guide or field_id not in fields):
                dispatcher.utter_message(text=text("field_why_question", help=question["help"]))
                return []
            if field_id not in fields:
                if (
                    not tracker.get_slot("scenario")
                    and float(tracker.latest_message.get("scenario_none") or 0) >= OUT_OF_SCOPE_NONE
                ):
                    await out_of_scope_answer(dispatcher, tracker.latest_message.get("text") or "")
                else:
                    dispatcher.utter_message(text=text("no_field_context"))
                return []
            field = fields[field_id]
            if intent == "ask_howto" or scenario is None:
                dispatcher.utter_message(
                    text=text("field_howto", label=field["label"], help=field["help"], example=field["example"])
                )
                return []
            plan, _ = await api.plan(scenario["id"], question_answers(tracker, scenario))
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return []
        prop = (plan or {}).get("form", {}).get("properties", {}).get(field_id)
        uses = "、".join(f"{p['item_name']}（{p['department']}）" for p in prop["x-provenance"]) if prop else ""
        if uses:
            dispatcher.utter_message(text=text("field_why", label=field["label"], uses=uses))
        else:
            dispatcher.utter_message(
                text=text("field_howto", label=field["label"], help=field["help"], example=field["example"])
            )
        return []


_CONSULT_KEYS = {
    "ask_materials": "consult_materials",
    "ask_time_limit": "consult_time_limit",
    "ask_fee": "consult_fee",
    "ask_where": "consult_where",
}


@lru_cache(maxsize=1)
def _aspect_words() -> dict[str, list[str]]:
    with Path(__file__).with_name("aspects.yml").open(encoding="utf-8") as fh:
        return {aspect: [answer_words(str(w)) for w in words] for aspect, words in yaml.safe_load(fh).items()}


def aspects_asked(message: str) -> list[str]:
    """The aspects (materials, where, fee, time limit) a message asks about, in catalog order."""
    words = answer_words(message)
    return [aspect for aspect, cues in _aspect_words().items() if any(cue in words for cue in cues)]


def _mentioned_items(message: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items whose name (or its part before a bracket) the citizen mentioned."""
    found = []
    for it in items:
        core = it["name"].split("（")[0].split("(")[0]
        if it["name"] in message or (len(core) >= 4 and core in message):
            found.append(it)
    return found


def consult_lines(aspect: str, scenario: dict[str, Any], plan: dict[str, Any], message: str) -> list[str]:
    """One aspect of a scenario answered from the catalog (items the message names, else all)."""
    items = _mentioned_items(message, plan["items"]) or _mentioned_items(message, scenario["items"]) or plan["items"]
    name = "、".join(it["name"] for it in items) if len(items) < len(plan["items"]) else scenario["name"]
    lines = [text(_CONSULT_KEYS.get(aspect, "consult_materials"), name=name)]
    if aspect == "ask_time_limit":
        for it in items:
            promised = it["time_limit"]["promised"]
            lines.append(
                text(
                    "consult_time_item",
                    item=it["name"],
                    statutory=it["time_limit"]["statutory"],
                    promised=text("consult_promised", promised=promised) if promised else "",
                )
            )
    elif aspect == "ask_fee":
        lines += [text("consult_fee_item", item=it["name"], fee=it["fee"]) for it in items]
    elif aspect == "ask_where":
        lines += [text("consult_where_item", item=it["name"], where=it["where"]) for it in items]
        lines.append(text("consult_online"))
    else:
        lines += checklist(_materials_of(items, scenario))
    return lines


def _materials_of(items: list[dict[str, Any]], scenario: dict[str, Any]) -> list[dict[str, Any]]:
    """The catalog's materials of these items, each once; brought if any of them needs it brought."""
    catalog = {it["id"]: it for it in scenario["items"]}
    merged: dict[str, dict[str, Any]] = {}
    for it in items:
        for m in catalog[it["id"]]["materials"]:
            entry = merged.setdefault(m["id"], dict(m))
            if m["kind"] == "bring":
                entry["kind"] = "bring"
    return list(merged.values())


def offer(dispatcher: CollectingDispatcher, scenario: dict[str, Any]) -> list[EventType]:
    """Offer to start the scenario the citizen asked about; a yes (or the button) starts it."""
    dispatcher.utter_message(
        text=text("scenario_offer", name=scenario["name"]),
        buttons=[
            {
                "title": text("button_start_scenario", name=scenario["name"]),
                "payload": f'/start_scenario{{"scenario": "{scenario["id"]}"}}',
            },
            {"title": text("button_later"), "payload": "/deny"},
        ],
    )
    return [SlotSet("offered_scenario", scenario["id"]), SlotSet("awaiting", "start_scenario")]


class ActionConsult(Action):
    """Materials, time limits, fees and where to apply, from the catalog via the API. Outside an
    application, the bot then offers to do the scenario; a message that names no scenario the
    catalog knows gets the honest out-of-scope answer."""

    def name(self) -> str:
        return "action_consult"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent, _ = latest_intent(tracker)
        message = tracker.latest_message.get("text") or ""
        named = next((e["value"] for e in latest_entities(tracker) if e.get("entity") == "scenario"), None)
        try:
            scenario_id = named or tracker.get_slot("scenario")
            if not scenario_id:  # "食品经营许可多久能批": find the scenario by the item named
                for sc in await api.scenarios():
                    detail = await api.scenario(sc["id"])
                    if _mentioned_items(message, detail["items"]):
                        scenario_id = sc["id"]
                        break
            scenario = await api.scenario(scenario_id)
            if scenario is None:
                if float(tracker.latest_message.get("scenario_none") or 0) >= OUT_OF_SCOPE_NONE:
                    await out_of_scope_answer(dispatcher, message)
                else:
                    dispatcher.utter_message(text=text("consult_no_scenario"))
                return []
            answers = question_answers(tracker, scenario) if scenario_id == tracker.get_slot("scenario") else {}
            plan, _ = await api.plan(scenario_id, answers)
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return []
        aspects = list(dict.fromkeys([intent, *aspects_asked(message)]))
        lines: list[str] = []
        for aspect in aspects:
            if aspect in _CONSULT_KEYS:
                lines += consult_lines(aspect, scenario, plan, message)
        dispatcher.utter_message(text="\n".join(lines))
        in_progress = tracker.get_slot("scenario") or (tracker.active_loop or {}).get("name")
        if not in_progress:
            return offer(dispatcher, scenario)
        return []
