"""补正 in the conversation: after a status answer that asks for a correction, reopen only the fields
the officers named, validated as the form always does; the confirmation's yes sends them as the
application's next version (submission.ActionSubmitApplication). The status lookup
(misc_actions.ActionCheckStatus) sets the `correction` slot: the application's number, scenario, the
fields with their labels, and the phone that proved ownership."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.texts import text

LISTEN = SlotSet("next_step", "listen")


class ActionStartCorrection(Action):
    """A yes to "现在就在这里补正吗？": the merged form asks only the fields to correct."""

    def name(self) -> str:
        return "action_start_correction"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        correction = tracker.get_slot("correction") or {}
        fields = list(correction.get("fields") or [])
        if not fields:
            dispatcher.utter_message(text=text("affirm_nothing"))
            return [SlotSet("awaiting", None), LISTEN]
        dispatcher.utter_message(text=text("status_correction_start", fields="、".join(correction["labels"])))
        return [
            SlotSet("awaiting", None),
            SlotSet("scenario", correction["scenario"]),
            SlotSet("application_number", None),
            *(SlotSet(f, None) for f in fields),
            SlotSet("form_fields", fields),
            SlotSet("next_step", "application_form"),
        ]
