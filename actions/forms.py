"""Form validation actions: guiding questions, the merged application form, and the status query.

Contract with the domain: forms guide_form, application_form and status_form; slot `scenario`;
one slot per question and field id (bot/domain/generated.yml, custom mappings, filled here);
`form_fields` (the merged form's ask order, set by action_explain_plan); utter_ask_<slot> responses.
Values are validated by the API only (one validator implementation).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, api
from actions.common import (
    ENTITY_KINDS,
    SKIPPED,
    application_number,
    correction_target,
    derived_slots,
    display,
    field_catalog,
    is_interruption,
    is_plain_yes,
    latest_entities,
    latest_intent,
    looks_like_question,
    pending_suggestion,
    question_answers,
)
from actions.misc_actions import record_miss
from actions.texts import text
from textnorm import is_blank

REQUESTED_SLOT = "requested_slot"


class CatalogFormAction(FormValidationAction):
    """Shared behaviour: required slots come from data, extraction only on a fresh user answer,
    escape intents reject (so rules can answer them), and the next slot is always set explicitly."""

    @abstractmethod
    def name(self) -> str:
        """Abstract, so the SDK does not register this base class as an action."""

    @abstractmethod
    async def slots_to_fill(self, tracker: Tracker) -> list[str]:
        """The form's required slots, in asking order."""

    @abstractmethod
    async def extract(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, requested: str | None, slots: list[str]
    ) -> list[EventType] | None:
        """Events from the latest message, or None to reject it as no answer at all."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            slots = await self.slots_to_fill(tracker)
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return []
        fresh_answer = (tracker.active_loop or {}).get("name") == self.form_name() and _answers_form(
            tracker, self.form_name()
        )
        events: list[EventType] = []
        if fresh_answer:
            requested = tracker.get_slot(REQUESTED_SLOT)
            try:
                extracted = await self.extract(dispatcher, tracker, requested, slots)
            except ApiUnavailable:
                dispatcher.utter_message(text=text("api_down"))
                extracted = [SlotSet(requested, None)] if requested else []
            if extracted is None:
                return []  # rejected: not an answer; rules answer it, then the form asks again
            events = extracted
            tracker.add_slots(events)
        missing = next((s for s in slots if tracker.get_slot(s) is None), None)
        return [*events, SlotSet(REQUESTED_SLOT, missing)]


def _answers_form(tracker: Tracker, form: str) -> bool:
    """Whether the latest user message is meant for this form: no other action ran since it (after
    an interruption such as a consultation answer, the form only asks its question again)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action" and event.get("name") not in (form, "action_listen", None):
            return False
    return False


def _suggest(dispatcher: CollectingDispatcher, slot: str, message: str, suggestion: Any) -> list[EventType]:
    """An unsure reading ("我家9口人" for an area): ask "您是说 9 平方米吗？" and remember the value."""
    dispatcher.utter_message(text=text("invalid_answer", message=message))
    return [SlotSet(slot, None), SlotSet("pending_value", {"slot": slot, "value": suggestion})]


def _first_look(
    dispatcher: CollectingDispatcher, tracker: Tracker, requested: str, label: str
) -> list[EventType] | None:
    """What every form does before validating: an empty message is asked again; a "是" to
    "您是说 9 平方米吗？" takes the offered value. None when the message must be validated."""
    message = tracker.latest_message.get("text") or ""
    if is_blank(message):
        dispatcher.utter_message(text=text("empty_answer", label=label))
        return [SlotSet(requested, None)]
    suggestion = pending_suggestion(tracker, requested)
    if suggestion is not None and is_plain_yes(tracker):
        return [SlotSet(requested, suggestion), SlotSet("pending_value", None)]
    return None


class ValidateGuideForm(CatalogFormAction):
    def name(self) -> str:
        return "validate_guide_form"

    async def slots_to_fill(self, tracker: Tracker) -> list[str]:
        scenario = await api.scenario(tracker.get_slot("scenario") or "")
        return [q["id"] for q in scenario["questions"]] if scenario else []

    async def extract(self, dispatcher, tracker, requested, slots):
        message = (tracker.latest_message.get("text") or "").strip()
        if not requested:
            return None
        if is_interruption(tracker):
            return None  # rules answer it, then the question is asked again
        intent, _ = latest_intent(tracker)
        scenario = await api.scenario(tracker.get_slot("scenario"))
        question = next(q for q in scenario["questions"] if q["id"] == requested)
        first = _first_look(dispatcher, tracker, requested, question["label"])
        if first is not None:
            return first
        if intent == "nlu_fallback" and looks_like_question(message):
            # a question the NLU could not place, while this question is pending: most likely about it
            await record_miss(tracker)
            dispatcher.utter_message(text=text("field_why_question", help=question["help"]))
            return [SlotSet(requested, None)]
        # "跳过/不清楚/按默认" take the default in the API (its list of words), never the skip intent alone
        answers = {**question_answers(tracker, scenario), requested: message}
        plan, errors, suggestions = await api.plan_checked(scenario["id"], answers)
        if requested in errors:
            if requested in suggestions:
                return _suggest(dispatcher, requested, errors[requested], suggestions[requested])
            if intent == "nlu_fallback":
                return None  # not understood at all: recorded for trainers, then asked again
            dispatcher.utter_message(text=text("invalid_answer", message=errors[requested]))
            return [SlotSet(requested, None)]
        return [SlotSet(requested, plan["answers"][requested]), SlotSet("pending_value", None)]


class ValidateApplicationForm(CatalogFormAction):
    def name(self) -> str:
        return "validate_application_form"

    async def slots_to_fill(self, tracker: Tracker) -> list[str]:
        return list(tracker.get_slot("form_fields") or [])

    async def _validated(
        self,
        dispatcher: CollectingDispatcher,
        field_id: str,
        value: Any,
        fields: dict[str, dict[str, Any]],
        result: dict[str, Any] | None = None,
    ) -> list[EventType] | None:
        """SlotSets for a valid value (with derived facts), or None after saying what is wrong.
        `result` is the API's answer when the caller already asked it."""
        result = result or await api.validate(field_id, value)
        if not result["valid"]:
            if "suggestion" in result:
                return _suggest(dispatcher, field_id, result["message"], result["suggestion"])[1:]
            dispatcher.utter_message(text=text("invalid_answer", message=result["message"]))
            return None
        events: list[EventType] = [
            SlotSet(field_id, result["value"]),
            *derived_slots(field_id, result, fields),
            SlotSet("pending_value", None),
        ]
        derived = result.get("derived", {})
        if field_id == "id_number" and "birth_date" in derived:
            gender = text(f"gender_{derived['gender']}")
            dispatcher.utter_message(text=text("derived_note", birth_date=derived["birth_date"], gender=gender))
        return events

    async def extract(self, dispatcher, tracker, requested, slots):
        fields = await field_catalog()
        intent, _ = latest_intent(tracker)
        message = (tracker.latest_message.get("text") or "").strip()
        entities = latest_entities(tracker)
        value_entities = [e for e in entities if e.get("entity") in ENTITY_KINDS]
        if is_interruption(tracker) and not value_entities:
            return None  # rules answer it, then the field is asked again
        if requested:
            first = _first_look(dispatcher, tracker, requested, fields[requested]["label"])
            if first is not None:
                return first
        if intent == "nlu_fallback" and requested and looks_like_question(message) and not value_entities:
            await record_miss(tracker)  # a question about the pending field, most likely
            field = fields[requested]
            dispatcher.utter_message(
                text=text("field_howto", label=field["label"], help=field["help"], example=field["example"])
            )
            return [SlotSet(requested, None)]
        if intent == "skip" and requested:
            field = fields[requested]
            if field["required"]:
                dispatcher.utter_message(text=text("skip_required", label=field["label"], help=field["help"]))
                return [SlotSet(requested, None)]
            dispatcher.utter_message(text=text("skip_optional", label=field["label"]))
            return [SlotSet(requested, SKIPPED)]
        if intent == "correct":
            corrected = await self._correction(dispatcher, tracker, slots, fields, entities, message)
            if corrected is not None:
                return corrected

        # The whole message as the answer when it is valid as a whole ("+86 139 1234 5678", "幺三九…",
        # "王小米", "2026.10.8", a business scope), before entities that may have caught only part of it,
        # or names inside a free text ("王芳 认缴6万元…" as the shareholders is not the finance officer).
        if requested in fields:
            whole = await api.validate(requested, message)
            if whole["valid"]:
                return await self._validated(dispatcher, requested, message, fields, whole)
        # Several facts in one message: route each value entity to the field it belongs to.
        targets: dict[str, Any] = {}
        for ent in value_entities:
            kind = ENTITY_KINDS[ent["entity"]]
            order = [requested] if requested else []
            order += [s for s in slots if s != requested]
            target = next(
                (
                    s
                    for s in order
                    if s in fields
                    and fields[s]["validator"]["kind"] == kind
                    and s not in targets
                    and (s == requested or tracker.get_slot(s) is None)
                ),
                None,
            )
            if target:
                targets[target] = ent["value"]
        if requested and requested not in targets and not targets:
            targets[requested] = message
        events: list[EventType] = []
        for field_id, value in targets.items():
            ok = await self._validated(dispatcher, field_id, value, fields)
            if ok and ok[0].get("name") == "pending_value":  # unsure reading offered back
                events += [SlotSet(field_id, None), *ok]
            elif ok:
                events += ok
            elif field_id == requested:
                if intent == "nlu_fallback" and len(targets) == 1:
                    return None  # not understood at all: record it, then ask again
                events.append(SlotSet(field_id, None))
        if requested and not events:
            events.append(SlotSet(requested, None))
        return events

    async def _correction(self, dispatcher, tracker, slots, fields, entities, message):
        """'电话说错了，是139…' mid-form: change that field (or clear it so it is asked again)."""
        field_id, value = correction_target(entities, message, slots, fields)
        if field_id is None:
            return None
        if value:
            ok = await self._validated(dispatcher, field_id, value, fields)
            if ok and ok[0].get("name") == field_id:
                shown = display(fields[field_id], ok[0]["value"])
                dispatcher.utter_message(text=text("correction_done", label=fields[field_id]["label"], value=shown))
                return ok
        dispatcher.utter_message(text=text("correction_reask", label=fields[field_id]["label"]))
        return [SlotSet(field_id, None)]


class ValidateStatusForm(CatalogFormAction):
    def name(self) -> str:
        return "validate_status_form"

    async def slots_to_fill(self, tracker: Tracker) -> list[str]:
        return ["status_number", "status_phone"]

    async def extract(self, dispatcher, tracker, requested, slots):
        if is_interruption(tracker) and latest_intent(tracker)[0] != "check_status":
            return None
        message = (tracker.latest_message.get("text") or "").strip()
        events: list[EventType] = []
        number = application_number(tracker)
        if number:
            events.append(SlotSet("status_number", number))
        elif requested == "status_number":
            dispatcher.utter_message(text=text("status_number_invalid"))
            return [SlotSet("status_number", None)]
        phone = next((e["value"] for e in latest_entities(tracker) if e.get("entity") == "phone"), None)
        if phone or (requested == "status_phone" and not number):
            result = await api.validate("phone", phone or message)
            if result["valid"]:
                events.append(SlotSet("status_phone", result["value"]))
            else:
                dispatcher.utter_message(text=text("invalid_answer", message=result["message"]))
                events.append(SlotSet("status_phone", None))
        return events
