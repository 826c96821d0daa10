"""Status lookup, cancelling, and recording messages the bot did not understand."""

from __future__ import annotations

import contextlib

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, api
from actions.catalog import all_question_ids, field_catalog
from actions.interrupting import CANCEL_CONFIDENCE
from actions.slots import application_number, latest_entities, latest_intent, personal_values, sender_hash
from actions.texts import text
from privacy import mask_text


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        number = application_number(tracker) or tracker.get_slot("status_number")
        phone = next((e["value"] for e in latest_entities(tracker) if e.get("entity") == "phone"), None)
        phone = phone or tracker.get_slot("status_phone")
        in_other_form = (tracker.active_loop or {}).get("name") not in (None, "status_form")
        if not (number and phone):
            if in_other_form:
                dispatcher.utter_message(text=text("status_how"))
                return [SlotSet("next_step", "listen")]
            return [
                SlotSet("status_number", number),
                SlotSet("status_phone", phone),
                SlotSet("next_step", "status_form"),
            ]
        try:
            code, result = await api.status(number, phone, tracker.sender_id)
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return [SlotSet("next_step", "listen")]
        done = [SlotSet("status_number", None), SlotSet("status_phone", None), SlotSet("next_step", "listen")]
        if code == 429:  # too many lookups, or this number locked after wrong phones: the API says which
            dispatcher.utter_message(text=result.get("message") or text("status_not_found"))
            return done
        if code != 200:
            dispatcher.utter_message(text=text("status_not_found"))
            return done
        lines = [
            text(
                "status_header",
                number=result["number"],
                scenario=result["scenario_name"],
                status=result["status_label"],
            )
        ]
        lines += [
            text("status_item", stage=i["stage"], name=i["name"], department=i["department"], status=i["status_label"])
            for i in result["items"]
        ]
        dispatcher.utter_message(text="\n".join(lines))
        correction = correction_request(result)
        if not correction["fields"]:
            return done
        # 补正: say what the officers asked for and why, and offer to reopen only those fields here
        for item in result["items"]:
            if item["correction"]:
                names = "、".join(f["label"] for f in item["correction"])
                reason = item["reason"] or ""
                dispatcher.utter_message(text=text("status_correction", name=item["name"], reason=reason, fields=names))
        if in_other_form or tracker.get_slot("form_fields"):  # another application is being filled in
            dispatcher.utter_message(text=text("status_correction_later"))
            return done
        dispatcher.utter_message(
            text=text("status_correction_offer"),
            buttons=[
                {"title": text("button_correct_now"), "payload": "/affirm"},
                {"title": text("button_later"), "payload": "/deny"},
            ],
        )
        return [*done, SlotSet("correction", {**correction, "phone": phone}), SlotSet("awaiting", "start_correction")]


def correction_request(result: dict) -> dict:
    """What a status answer asks to correct: the application, its scenario, and the fields (in the
    items' order, once each) with their labels."""
    fields: dict[str, str] = {}
    for item in result["items"]:
        fields.update({f["id"]: f["label"] for f in item.get("correction") or [] if f["id"] not in fields})
    return {
        "number": result["number"],
        "scenario": result["scenario_id"],
        "fields": list(fields),
        "labels": list(fields.values()),
    }


class ActionCancel(Action):
    """Cancel at any point: stop the form, drop the application in progress (nothing is submitted)."""

    def name(self) -> str:
        return "action_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        intent, confidence = latest_intent(tracker)
        if intent == "cancel" and confidence < CANCEL_CONFIDENCE:
            dispatcher.utter_message(text=text("not_understood"))
            await _record(tracker, intent, confidence, dispatcher)  # unsure: nothing is dropped
            return [ActiveLoop(None)] if not (tracker.active_loop or {}).get("name") else []
        in_progress = tracker.get_slot("scenario") or (tracker.active_loop or {}).get("name")
        if not in_progress:
            dispatcher.utter_message(response="utter_nothing_to_cancel")
            return [ActiveLoop(None)]
        try:
            fields = await field_catalog()
            question_ids = await all_question_ids()
        except ApiUnavailable:
            fields, question_ids = {}, set()
        slots = set(fields) | question_ids | {"scenario", "form_fields", "awaiting", "correction"}
        slots |= {"status_number", "status_phone"}
        dispatcher.utter_message(response="utter_cancelled")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *(SlotSet(s, None) for s in sorted(slots) if tracker.get_slot(s) is not None),
        ]


class ActionRecordMiss(Action):
    """Say we did not understand, and record the message (sender hashed) for NLU trainers."""

    def name(self) -> str:
        return "action_record_miss"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        best = next((r for r in ranking if r.get("name") != "nlu_fallback"), None)
        intent, confidence = (best["name"], float(best["confidence"])) if best else latest_intent(tracker)
        dispatcher.utter_message(text=text("not_understood"))
        await _record(tracker, intent, confidence, dispatcher)
        return []


async def record_miss(tracker: Tracker, dispatcher: CollectingDispatcher | None = None) -> None:
    """Record the latest message with the intent classifier's best guess (before any fallback), and
    what the action has said so far (call it after uttering the reply)."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    best = next((r for r in ranking if r.get("name") not in ("nlu_fallback", "start_scenario")), None)
    await _record(tracker, best and best["name"], best and float(best["confidence"]), dispatcher)


async def _record(
    tracker: Tracker, intent: str | None, confidence: float | None, dispatcher: CollectingDispatcher | None = None
) -> None:
    """Record the latest message for trainers; best effort, the citizen still gets an answer."""
    message = tracker.latest_message.get("text") or ""
    if message:
        with contextlib.suppress(ApiUnavailable):
            # the name, address and numbers this citizen already gave are masked wherever they appear
            fields = await field_catalog()
            known = personal_values(tracker, fields)
            await api.record_miss(
                mask_text(message, known),
                sender_hash(tracker),
                intent,
                confidence,
                tracker.sender_id,
                _context(tracker, dispatcher, known),
            )


def _context(tracker: Tracker, dispatcher: CollectingDispatcher | None, known: list[str]) -> dict[str, object]:
    """What the trainer inbox shows with a miss: the top three intents and where the conversation was;
    Rasa's message id lets the API merge this report with the Rasa server's one (bot/inbox_capture.py)."""
    ranking = [
        {"name": r["name"], "confidence": round(float(r.get("confidence") or 0), 4)}
        for r in tracker.latest_message.get("intent_ranking") or []
        if r.get("name") and r["name"] != "nlu_fallback"
    ][:3]
    user = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    short = {
        "scenario": tracker.get_slot("scenario"),
        "requested_slot": tracker.get_slot("requested_slot"),
        "active_loop": (tracker.active_loop or {}).get("name"),
        "message_id": user.get("message_id"),
    }
    reply = "\n".join(m.get("text") or "" for m in (dispatcher.messages if dispatcher else [])).strip()
    return {
        "kind": "fallback",
        "ranking": ranking,
        "reply": mask_text(reply, known)[:2000] or None,
        **{k: str(v)[:64] for k, v in short.items() if v},
    }
