"""What the three forms share: the requested slot, the first look at a message (blank, a yes to a
value offered back) and the offer itself."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable
from actions.interrupting import is_plain_yes
from actions.slots import (
    pending_suggestion,
)
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
