"""Reading the tracker (the latest intent and entities, answers and form values) and the slot events
the actions return."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from privacy import PERSONAL_KINDS
from serversecret import keyed_hash

SKIPPED = "__skipped__"


IDENTITY_SLOTS = ("applicant_name", "id_number", "phone", "birth_date", "gender")


def personal_values(tracker: Tracker, fields: dict[str, dict[str, Any]]) -> list[str]:
    """The name, ID, phone, card and address values this citizen gave, to mask wherever they appear."""
    return [
        str(tracker.get_slot(fid))
        for fid, field in fields.items()
        if field["validator"]["kind"] in PERSONAL_KINDS and tracker.get_slot(fid)
    ]


def forget_application(tracker: Tracker) -> list[SlotSet]:
    """Nothing of this citizen carries into what comes next (a kiosk's next citizen, a shared phone):
    the form's values and who they are, once the application holds them."""
    personal = {*(tracker.get_slot("form_fields") or []), *IDENTITY_SLOTS}
    return [
        *(SlotSet(f, None) for f in sorted(personal) if tracker.get_slot(f) is not None),
        SlotSet("form_fields", None),
    ]


# Entities that carry a value, and the field validator kind each fills.
ENTITY_KINDS = {"id_number": "id_number", "phone": "phone", "uscc": "uscc", "person_name": "name"}


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def latest_entities(tracker: Tracker) -> list[dict[str, Any]]:
    """Entities of the latest message, one per (entity, value), regex and model results merged."""
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, Any]] = []
    for ent in _merge_adjacent(tracker.latest_message.get("entities") or [], tracker.latest_message.get("text") or ""):
        key = (ent.get("entity"), str(ent.get("value")))
        if key not in seen:
            seen.add(key)
            out.append(ent)
    return out


def _merge_adjacent(entities: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """A value the model cut in two ("王" + "小米" for 王小米) is one entity again."""
    merged: list[dict[str, Any]] = []
    for ent in sorted(entities, key=lambda e: e.get("start") or 0):
        last = merged[-1] if merged else None
        if (
            last is not None
            and ent.get("entity") in ENTITY_KINDS
            and ent.get("entity") == last.get("entity")
            and ent.get("extractor") == last.get("extractor")
            and last.get("end") == ent.get("start")
        ):
            merged[-1] = {**last, "end": ent["end"], "value": text[last["start"] : ent["end"]]}
        else:
            merged.append(ent)
    return merged


def application_number(tracker: Tracker) -> str | None:
    """The 受理编号 in the latest message, as the NLU found it: the pattern's match (its one definition is
    data/nlu/regexes.yml) before whatever span the model proposed."""
    found = [e for e in latest_entities(tracker) if e.get("entity") == "application_number" and e.get("value")]
    found.sort(key=lambda e: e.get("extractor") != "RegexEntityExtractor")
    return str(found[0]["value"]).strip().upper() if found else None


def question_answers(tracker: Tracker, scenario: dict[str, Any]) -> dict[str, Any]:
    """The guiding answers given so far, by question id."""
    return {q["id"]: tracker.get_slot(q["id"]) for q in scenario["questions"] if tracker.get_slot(q["id"]) is not None}


def form_data(tracker: Tracker) -> dict[str, Any]:
    """The merged form's values given so far (skipped optional fields left out)."""
    data = {}
    for fid in tracker.get_slot("form_fields") or []:
        value = tracker.get_slot(fid)
        if value is not None and value != SKIPPED:
            data[fid] = value
    return data


def pending_suggestion(tracker: Tracker, slot: str | None) -> Any:
    """The value offered back for `slot` ("您是说 9 平方米吗？"), if any."""
    pending = tracker.get_slot("pending_value") or {}
    return pending.get("value") if slot and pending.get("slot") == slot else None


def derived_slots(field_id: str, result: dict[str, Any], fields: dict[str, dict[str, Any]]) -> list[SlotSet]:
    """Slots derived from a validated value (birth date and gender from the ID number)."""
    derived = result.get("derived", {})
    return [
        SlotSet(fid, derived[f["derived_from"]["key"]])
        for fid, f in fields.items()
        if f.get("derived_from") and f["derived_from"]["field"] == field_id and f["derived_from"]["key"] in derived
    ]


def sender_hash(tracker: Tracker) -> str:
    """The conversation, keyed with the server secret: trainers can group misses, nobody can link them."""
    return keyed_hash("sender", tracker.sender_id)[:32]
