"""The merged application form (validate_application_form): answers first, several facts in one
message, corrections inside the form, derived facts."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import api
from actions.catalog import field_catalog
from actions.display import correction_target, display
from actions.forms.base import CatalogFormAction, _first_look, _suggest
from actions.interrupting import is_interruption, looks_like_question
from actions.misc_actions import record_miss
from actions.slots import (
    ENTITY_KINDS,
    SKIPPED,
    derived_slots,
    latest_entities,
    latest_intent,
)
from actions.texts import text


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
            field = fields[requested]
            dispatcher.utter_message(
                text=text("field_howto", label=field["label"], help=field["help"], example=field["example"])
            )
            await record_miss(tracker, dispatcher)  # a question about the pending field, most likely
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
