"""The status lookup (validate_status_form): the 受理编号 and the phone."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.api_client import api
from actions.forms.base import CatalogFormAction
from actions.interrupting import is_interruption
from actions.slots import (
    application_number,
    latest_entities,
    latest_intent,
)
from actions.texts import text


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
