"""Summary (masked), confirmation, idempotent submission, corrections after the summary,
and the yes/no answers to the bot's own questions outside forms."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, api
from actions.catalog import field_catalog
from actions.display import correction_target, display
from actions.misc_actions import record_miss
from actions.progress import report_progress, transcript
from actions.slots import derived_slots, forget_application, form_data, latest_entities, question_answers
from actions.texts import text
from serversecret import keyed_hash

LISTEN = SlotSet("next_step", "listen")
RETRY = {"title": text("button_retry"), "payload": "/affirm"}


def idempotency_key(tracker: Tracker) -> str:
    """Derived from the conversation under the server secret: retries of one submission share it, the
    next application does not, and nobody outside can compute (and so squat) it."""
    count = str(int(tracker.get_slot("submission_count") or 0))
    return keyed_hash("submission", tracker.sender_id, tracker.get_slot("scenario") or "", count)


class ActionShowSummary(Action):
    def name(self) -> str:
        return "action_show_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            fields = await field_catalog()
            scenario = await api.scenario(tracker.get_slot("scenario") or "")
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return []
        if scenario is None:
            return []
        data = form_data(tracker)
        lines = [text("summary_intro", name=scenario["name"])]
        for fid in tracker.get_slot("form_fields") or []:
            if fid in data:
                lines.append(text("summary_line", label=fields[fid]["label"], value=display(fields[fid], data[fid])))
        dispatcher.utter_message(text="\n".join(lines))
        if not tracker.get_slot("correction"):
            report_progress(dispatcher, "form_complete", scenario["id"])
        dispatcher.utter_message(
            text=text("summary_confirm"),
            buttons=[
                {"title": text("button_confirm"), "payload": "/affirm"},
                {"title": text("button_modify"), "payload": "/deny"},
            ],
        )
        return [SlotSet("awaiting", "confirm_submit")]


class ActionSubmitApplication(Action):
    def name(self) -> str:
        return "action_submit_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("correction") and tracker.get_slot("form_fields"):
            return await self._correction(dispatcher, tracker)
        if tracker.get_slot("application_number"):
            dispatcher.utter_message(text=text("already_submitted", number=tracker.get_slot("application_number")))
            return [SlotSet("awaiting", None), LISTEN]
        try:
            scenario = await api.scenario(tracker.get_slot("scenario") or "")
            fields = await field_catalog()
            answers = question_answers(tracker, scenario)
            body = {
                "scenario_id": scenario["id"],
                "answers": answers,
                # what the API derives (birth date, gender from the ID) or prefills (a guiding answer
                # of the same id) is not sent back; a value the citizen changed still is
                "form_data": {
                    fid: value
                    for fid, value in form_data(tracker).items()
                    if not fields.get(fid, {}).get("derived_from") and answers.get(fid, ...) != value
                },
                "channel": (tracker.latest_message.get("metadata") or {}).get("channel", "web"),
                "conversation_id": tracker.sender_id[:128],
                "transcript": transcript(tracker, fields),
            }
            status, result = await api.submit(body, idempotency_key(tracker), tracker.sender_id)
        except ApiUnavailable:
            dispatcher.utter_message(text=text("submit_failed"), buttons=[RETRY])
            return [SlotSet("awaiting", "retry_submit"), LISTEN]
        if status in (200, 201):
            return self._accepted(dispatcher, tracker, result)
        if status in (409, 429):  # already in review, or too many applications: the API's message says so
            dispatcher.utter_message(text=result.get("message") or text("submit_failed"))
            return [SlotSet("awaiting", None), LISTEN]
        if status == 422 and result.get("code") == "form_invalid":
            return await self._rejected(dispatcher, result["details"]["fields"])
        dispatcher.utter_message(text=text("submit_failed"), buttons=[RETRY])
        return [SlotSet("awaiting", "retry_submit"), LISTEN]

    async def _correction(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """补正: send the corrected fields as the application's next version; a retry changes nothing."""
        correction: dict[str, Any] = tracker.get_slot("correction")
        data = {f: v for f, v in form_data(tracker).items() if f in correction["fields"]}
        try:
            status, result = await api.correct(correction["number"], correction["phone"], data, tracker.sender_id)
        except ApiUnavailable:
            dispatcher.utter_message(text=text("submit_failed"), buttons=[RETRY])
            return [SlotSet("awaiting", "retry_submit"), LISTEN]
        if status == 422 and result.get("code") == "form_invalid":
            return await self._rejected(dispatcher, result["details"]["fields"])
        if status == 200:
            version = result["version"]
            dispatcher.utter_message(text=text("correction_submitted", number=result["number"], version=version))
        else:  # not found, no longer asked for, locked: the API's message says which
            dispatcher.utter_message(text=result.get("message") or text("submit_failed"))
        return [
            *forget_application(tracker),
            SlotSet("correction", None),
            SlotSet("scenario", None),
            SlotSet("awaiting", None),
            LISTEN,
        ]

    @staticmethod
    def _accepted(dispatcher: CollectingDispatcher, tracker: Tracker, result: dict[str, Any]) -> list[EventType]:
        stages: dict[int, list[str]] = {}
        for item in result["items"]:
            stages.setdefault(item["stage"], []).append(item["name"])
        steps = "；".join(text("plan_stage", n=n, items="、".join(names)) for n, names in sorted(stages.items()))
        done = "submit_revised" if result.get("revised") else "submit_ok"
        dispatcher.utter_message(text=text(done, number=result["number"]))
        dispatcher.utter_message(text=text("submit_next", stages=steps))
        # the tracker store masks what was said in the conversation
        return [
            *forget_application(tracker),
            SlotSet("application_number", result["number"]),
            SlotSet("submission_count", float(tracker.get_slot("submission_count") or 0) + 1),
            SlotSet("awaiting", None),
            LISTEN,
        ]

    @staticmethod
    async def _rejected(dispatcher: CollectingDispatcher, errors: dict[str, str]) -> list[EventType]:
        fields = await field_catalog()
        lines = [text("submit_invalid", count=len(errors))]
        lines += [
            text("submit_invalid_line", label=fields.get(f, {}).get("label", f), message=m) for f, m in errors.items()
        ]
        dispatcher.utter_message(text="\n".join(lines))
        return [*(SlotSet(f, None) for f in errors if f in fields), SlotSet("next_step", "application_form")]


class ActionCorrect(Action):
    """A correction outside the form (usually after the summary): change one field, show the summary again."""

    def name(self) -> str:
        return "action_correct"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        form_fields = tracker.get_slot("form_fields") or []
        if not form_fields and not tracker.get_slot("application_number"):
            # a value or a "correction" with no form at all: nothing it could belong to, so it was not
            # understood (kept for trainers), never answered with "好的"
            dispatcher.utter_message(text=text("not_understood"))
            await record_miss(tracker, dispatcher)
            return [LISTEN]
        if tracker.get_slot("application_number"):
            dispatcher.utter_message(text=text("affirm_nothing"))
            return [LISTEN]
        try:
            fields = await field_catalog()
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return [LISTEN]
        entities = latest_entities(tracker)
        message = tracker.latest_message.get("text") or ""
        field_id, value = correction_target(entities, message, form_fields, fields)
        if field_id is None:
            dispatcher.utter_message(text=text("correction_which"))
            return [LISTEN]
        if not value:  # "我要改地址": ask that field again
            dispatcher.utter_message(text=text("correction_reask", label=fields[field_id]["label"]))
            return [SlotSet(field_id, None), SlotSet("next_step", "application_form")]
        try:
            result = await api.validate(field_id, value)
        except ApiUnavailable:
            dispatcher.utter_message(text=text("api_down"))
            return [LISTEN]
        if not result["valid"]:
            dispatcher.utter_message(text=text("invalid_answer", message=result["message"]))
            return [SlotSet(field_id, None), SlotSet("next_step", "application_form")]
        dispatcher.utter_message(
            text=text(
                "correction_done", label=fields[field_id]["label"], value=display(fields[field_id], result["value"])
            )
        )
        return [
            SlotSet(field_id, result["value"]),
            *derived_slots(field_id, result, fields),
            SlotSet("next_step", "summary"),
        ]


class ActionAffirm(Action):
    """'是/好的' when the bot asked nothing (rules route a yes to 'start filling' or 'submit' elsewhere)."""

    def name(self) -> str:
        return "action_affirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dispatcher.utter_message(text=text("affirm_nothing"))
        return []


class ActionDeny(Action):
    def name(self) -> str:
        return "action_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        awaiting = tracker.get_slot("awaiting")
        if awaiting == "start_scenario":
            dispatcher.utter_message(text=text("offer_declined"))
            return [SlotSet("awaiting", None), SlotSet("offered_scenario", None)]
        if awaiting == "start_correction":
            dispatcher.utter_message(text=text("status_correction_later"))
            return [SlotSet("awaiting", None), SlotSet("correction", None)]
        if awaiting == "start_filling":
            dispatcher.utter_message(text=text("deny_start_filling"))
        elif awaiting in ("confirm_submit", "retry_submit"):
            dispatcher.utter_message(text=text("deny_confirm"))
        else:
            dispatcher.utter_message(text=text("affirm_nothing"))
        return []
