"""The guiding questions of a scenario (validate_guide_form): one answer read as the plan reads it."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.api_client import api
from actions.forms.base import CatalogFormAction, _first_look, _suggest
from actions.interrupting import is_interruption, looks_like_question
from actions.misc_actions import record_miss
from actions.slots import (
    latest_intent,
)
from actions.texts import text


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
            dispatcher.utter_message(text=text("field_why_question", help=question["help"]))
            await record_miss(tracker, dispatcher)
            return [SlotSet(requested, None)]
        # "跳过/不清楚/按默认" take the default in the API (its list of words), never the skip intent alone
        result = await api.validate_answer(scenario["id"], requested, message)
        if not result["valid"]:
            if "suggestion" in result:
                return _suggest(dispatcher, requested, result["message"], result["suggestion"])
            if intent == "nlu_fallback":
                return None  # not understood at all: recorded for trainers, then asked again
            dispatcher.utter_message(text=text("invalid_answer", message=result["message"]))
            return [SlotSet(requested, None)]
        return [SlotSet(requested, result["value"]), SlotSet("pending_value", None)]
