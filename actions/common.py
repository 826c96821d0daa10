"""Helpers shared by the actions: reading the tracker, catalog metadata from the API, masking."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.api_client import api
from actions.texts import text

SKIPPED = "__skipped__"
IDENTITY_SLOTS = ("applicant_name", "id_number", "phone", "birth_date", "gender")
# Intents that, inside a form, are never an answer to the pending question.
ALWAYS_ESCAPE = {
    "cancel",
    "human_handoff",
    "greet",
    "goodbye",
    "thank",
    "ask_capabilities",
    "out_of_scope",
    "check_status",
    "start_scenario",
}
# Cancelling drops the application in progress, so it needs a clearly recognised request: real
# cancels score above 0.96 on the held-out set, while gibberish was seen as `cancel` at 0.66.
CANCEL_CONFIDENCE = 0.85
# Intents that are questions about the process; an answer-looking message is still taken as an answer.
QUESTION_ESCAPE = {"ask_why", "ask_howto", "ask_materials", "ask_time_limit", "ask_fee", "ask_where"}
_QUESTION_WORDS = re.compile(
    r"[?？吗呢嘛]|为什么|为啥|怎么|怎样|如何|什么|啥|哪|多久|多少|几天|咋|是否|能不能|可不可以"
)

# Entities that carry a value, and the field validator kind each fills.
ENTITY_KINDS = {"id_number": "id_number", "phone": "phone", "uscc": "uscc", "person_name": "name"}
APPLICATION_NUMBER = re.compile(r"BH\d{13}", re.IGNORECASE)
_CORRECTION_VALUE = re.compile(r"(?:改成|改为|换成|应该是|是|为)[：:，, ]*(.+)$")

_fields_cache: tuple[float, dict[str, dict[str, Any]]] | None = None


async def field_catalog() -> dict[str, dict[str, Any]]:
    """Field definitions from the API (id → definition), cached for a minute."""
    global _fields_cache
    if _fields_cache is None or time.monotonic() - _fields_cache[0] > 60:
        _fields_cache = (time.monotonic(), {f["id"]: f for f in await api.fields()})
    return _fields_cache[1]


async def all_question_ids() -> set[str]:
    """Every guiding question id of every scenario (their slots are cleared on a new start or cancel)."""
    return {q["id"] for sc in await api.scenarios() for q in (await api.scenario(sc["id"]))["questions"]}


def looks_like_question(message: str) -> bool:
    return bool(_QUESTION_WORDS.search(message))


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def latest_entities(tracker: Tracker) -> list[dict[str, Any]]:
    """Entities of the latest message, one per (entity, value), regex and model results merged."""
    seen: set[tuple[str, str]] = set()
    out = []
    for ent in tracker.latest_message.get("entities") or []:
        key = (ent.get("entity"), str(ent.get("value")))
        if key not in seen:
            seen.add(key)
            out.append(ent)
    return out


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


def sender_hash(tracker: Tracker) -> str:
    return hashlib.sha256(tracker.sender_id.encode()).hexdigest()[:32]


def mask(kind: str, value: Any) -> str:
    """Mask personal data for display: 身份证号, phone, bank card."""
    text = str(value)
    if kind == "id_number" and len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if kind == "phone" and len(text) == 11:
        return text[:3] + "****" + text[-4:]
    if kind == "bank_account" and len(text) >= 8:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    return text


def display(field: dict[str, Any], value: Any) -> str:
    """A stored value as the citizen reads it: choice labels, yes/no, units, masking."""
    rule = field["validator"]
    if rule["kind"] == "choice":
        return next((c["label"] for c in rule["choices"] if c["value"] == value), str(value))
    if rule["kind"] == "bool":
        return text("yes" if value else "no")
    if rule["kind"] == "number" and rule.get("unit"):
        return f"{value}{rule['unit']}"
    return mask(rule["kind"], value)


def correction_target(
    entities: list[dict[str, Any]], message: str, form_fields: list[str], fields: dict[str, dict[str, Any]]
) -> tuple[str | None, str | None]:
    """Which field a correction names ('电话说错了') and the new value if given ('是139…').

    The field comes from a `field` entity, else from the kind of a value entity (a phone number
    corrects the phone); the value from a matching value entity, else from the words after 是/改成."""
    named = [e["value"] for e in entities if e.get("entity") == "field" and e.get("value") in form_fields]
    values = [e for e in entities if e.get("entity") in ENTITY_KINDS]
    if not named and values:
        kind = ENTITY_KINDS[values[0]["entity"]]
        named = [f for f in form_fields if fields[f]["validator"]["kind"] == kind][:1]
    if not named:
        return None, None
    field_id = named[0]
    kind = fields[field_id]["validator"]["kind"]
    value = next((e["value"] for e in values if ENTITY_KINDS[e["entity"]] == kind), None)
    if value is None:
        match = _CORRECTION_VALUE.search(message)
        value = match.group(1).strip() if match else None
    return field_id, value or None


def derived_slots(field_id: str, result: dict[str, Any], fields: dict[str, dict[str, Any]]) -> list[SlotSet]:
    """Slots derived from a validated value (birth date and gender from the ID number)."""
    derived = result.get("derived", {})
    return [
        SlotSet(fid, derived[f["derived_from"]["key"]])
        for fid, f in fields.items()
        if f.get("derived_from") and f["derived_from"]["field"] == field_id and f["derived_from"]["key"] in derived
    ]
