"""Greeting, finding the scenario from what the citizen said, and explaining the plan."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, api
from actions.catalog import all_question_ids, field_catalog
from actions.display import checklist
from actions.help_actions import aspects_asked, consult_lines, offer
from actions.misc_actions import record_miss
from actions.out_of_scope import department_for, out_of_scope_answer
from actions.progress import report_progress
from actions.slots import IDENTITY_SLOTS, latest_entities, latest_intent, question_answers
from actions.texts import text

POPULAR = ("open_restaurant", "newborn", "start_company", "house_transfer", "retirement", "bereavement")


def scenario_button(sc: dict[str, Any]) -> dict[str, str]:
    return {"title": sc["name"], "payload": f'/start_scenario{{"scenario": "{sc["id"]}"}}'}


# A scenario the ScenarioFinder ranks at least this high is offered as a choice when it is unsure.
CHOICE_MIN_SCORE = 0.1


class ActionGreet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            scenarios = {sc["id"]: sc for sc in await api.scenarios()}
        except ApiUnavailable:
            dispatcher.utter_message(text=text("greet"))
            return []
        buttons = [scenario_button(scenarios[s]) for s in POPULAR if s in scenarios]
        dispatcher.utter_message(text=text("greet"), buttons=buttons)
        return []


class ActionSelectScenario(Action):
    """Set `scenario` from the entity, or from the words used; ask which when ambiguous."""

    def name(self) -> str:
        return "action_select_scenario"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        listen = SlotSet("next_step", "listen")
        try:
            scenarios = await api.scenarios()
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return [SlotSet("awaiting", None), listen]
        by_id = {sc["id"]: sc for sc in scenarios}
        intent, _ = latest_intent(tracker)
        message = tracker.latest_message.get("text") or ""
        accepted = intent == "affirm" and tracker.get_slot("awaiting") == "start_scenario"
        wanted = tracker.get_slot("offered_scenario") if accepted else None
        wanted = wanted or next((e["value"] for e in latest_entities(tracker) if e.get("entity") == "scenario"), None)
        chosen = by_id.get(wanted) if wanted else None
        if chosen is not None:
            aspects = [] if accepted or message.startswith("/") else aspects_asked(message)
            if aspects:  # "……去哪办，要多少钱，多久能办下来": answer each question, then offer
                return await self._answer_then_offer(dispatcher, chosen, aspects, message)
            return await self._start(dispatcher, tracker, chosen)
        if tracker.latest_message.get("intent_before_finder") == "nlu_fallback":
            await record_miss(tracker)  # not understood by the intent classifier: trainers see it
        ranking = tracker.latest_message.get("scenario_ranking") or []
        candidates = [
            by_id[r["scenario"]] for r in ranking if r["scenario"] in by_id and r["score"] >= CHOICE_MIN_SCORE
        ]
        if candidates:
            buttons = [scenario_button(c) for c in candidates[:3]]
            buttons.append({"title": text("button_none_of_these"), "payload": "/deny"})
            department = department_for(message)
            where = (
                text("out_of_scope_department", department=department) if department else text("out_of_scope_hotline")
            )
            dispatcher.utter_message(text=text("scenario_confirm", where=where), buttons=buttons)
            return [SlotSet("offered_scenario", candidates[0]["id"]), SlotSet("awaiting", "start_scenario"), listen]
        await out_of_scope_answer(dispatcher, message)
        return [SlotSet("awaiting", None), listen]

    async def _answer_then_offer(
        self, dispatcher: CollectingDispatcher, chosen: dict[str, Any], aspects: list[str], message: str
    ) -> list[EventType]:
        try:
            detail = await api.scenario(chosen["id"])
            plan, _ = await api.plan(chosen["id"], {})
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return [SlotSet("awaiting", None), SlotSet("next_step", "listen")]
        lines = [text("long_message_intro", name=detail["name"])]
        for aspect in aspects:
            lines += consult_lines(aspect, detail, plan, message)
        dispatcher.utter_message(text="\n".join(lines))
        return [*offer(dispatcher, detail), SlotSet("next_step", "listen")]

    async def _start(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, chosen: dict[str, Any]
    ) -> list[EventType]:
        detail = await api.scenario(chosen["id"])
        fields = await field_catalog()
        question_ids = await all_question_ids()
        # A new scenario starts clean; who the citizen is (name, ID, phone) is kept.
        stale = (set(fields) | question_ids) - set(IDENTITY_SLOTS)
        reset = [SlotSet(slot, None) for slot in sorted(stale) if tracker.get_slot(slot) is not None]
        dispatcher.utter_message(
            text=text("scenario_start", name=detail["name"], summary=detail["summary"], count=len(detail["questions"]))
        )
        report_progress(dispatcher, "scenario_found", chosen["id"])
        return [
            *reset,
            SlotSet("scenario", chosen["id"]),
            SlotSet("form_fields", None),
            SlotSet("awaiting", None),
            SlotSet("offered_scenario", None),
            SlotSet("pending_value", None),
            SlotSet("application_number", None),
            SlotSet("next_step", "guide_form"),
        ]


def _time_limit(item: dict[str, Any]) -> str:
    limit = item["time_limit"]
    return limit["promised"] or limit["statutory"]


class ActionExplainPlan(Action):
    """The plan, explained: items and why, stages, parallel work, mutual prerequisites, materials, saving."""

    def name(self) -> str:
        return "action_explain_plan"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            scenario = await api.scenario(tracker.get_slot("scenario") or "")
            if scenario is None:
                return []
            plan, errors = await api.plan(scenario["id"], question_answers(tracker, scenario))
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return []
        if plan is None:
            dispatcher.utter_message(text=text("plan_failed", message="；".join(errors.values())))
            return []
        dispatcher.utter_message(text=explain_plan(plan))
        report_progress(dispatcher, "questions_answered", scenario["id"])
        dispatcher.utter_message(
            text=text("plan_start_filling"),
            buttons=[
                {"title": text("button_start_filling"), "payload": "/affirm"},
                {"title": text("button_not_now"), "payload": "/deny"},
            ],
        )
        prefilled = [
            SlotSet(fid, prop["default"])
            for fid, prop in plan["form"]["properties"].items()
            if "default" in prop and tracker.get_slot(fid) is None
        ]
        return [*prefilled, SlotSet("form_fields", plan["form"]["x-ask-order"]), SlotSet("awaiting", "start_filling")]


def explain_plan(plan: dict[str, Any]) -> str:
    items = {it["id"]: it for it in plan["items"]}
    lines = [text("plan_intro", name=plan["scenario_name"], count=len(items), stages=len(plan["stages"]))]
    for stage in plan["stages"]:
        names = "、".join(items[i]["name"] for i in stage["items"])
        line = text("plan_stage", n=stage["stage"], items=names)
        if stage["parallel"]:
            line += text("plan_stage_parallel", k=len(stage["items"]))
        lines.append(line)
        for group in stage["joint_groups"]:
            joint = "、".join(items[i]["name"] for i in group["items"])
            lines.append(text("plan_joint", items=joint, resolution=group["resolution"]))
    for it in plan["items"]:
        lines.append(
            text(
                "plan_item",
                name=it["name"],
                department=it["department"],
                time_limit=_time_limit(it),
                reason=it["reason"],
            )
        )
    if plan["not_applicable"]:
        lines.append(text("plan_not_needed", items="、".join(it["name"] for it in plan["not_applicable"])))
    s = plan["saving"]
    lines.append(text("plan_materials", count=s["materials_to_bring"]))
    lines += checklist(plan["materials"])
    lines.append(
        text(
            "plan_saving",
            merged=s["merged_fields"],
            saved=s["saved_entries"],
            forms=s["forms_replaced"],
            separate=s["separate_entries"],
            separate_materials=s["separate_materials"],
            bring=s["materials_to_bring"],
        )
    )
    if s["merged_days"] < s["separate_days"]:
        lines.append(text("plan_saving_days", separate=s["separate_days"], merged=s["merged_days"]))
    return "\n".join(lines)
