"""Helpers shared by the actions: reading the tracker, catalog metadata from the API, masking."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.api_client import api
from actions.texts import text
from privacy import mask_value
from serversecret import keyed_hash
from textnorm import answer_words

SKIPPED = "__skipped__"
IDENTITY_SLOTS = ("applicant_name", "id_number", "phone", "birth_date", "gender")
# Cancelling drops the application in progress, so it needs a clearly recognised request: real
# cancels score above 0.96 on the held-out set, while gibberish was seen as `cancel` at 0.66.
CANCEL_CONFIDENCE = 0.85
# Questions about the process or about something else; inside a form they take over only when the
# message is a question (question words), never when it reads as an answer.
QUESTION_INTENTS = {"ask_why", "ask_howto", "ask_materials", "ask_time_limit", "ask_fee", "ask_where", "out_of_scope"}
_QUESTION_WORDS = re.compile(
    r"[?？吗呢嘛]$|[?？]|为什么|为啥|怎么|怎样|如何|什么|啥|哪|多久|多少|几天|咋|是否|能不能|可不可以"
)
_FILLERS = "啊吧了呢呀哈嘛哦噢的"
_YES = {"是", "是的", "对", "对的", "嗯", "嗯嗯", "好", "好的", "没错", "可以", "行", "对头", "是滴", "中", "yes"}

# Entities that carry a value, and the field validator kind each fills.
ENTITY_KINDS = {"id_number": "id_number", "phone": "phone", "uscc": "uscc", "person_name": "name"}
_CORRECTION_VALUE = re.compile(r"(?:改成|改为|换成|应该是|是|为)[：:，, ]*(.+)$")

def application_number(tracker: Tracker) -> str | None:
    """The 受理编号 in the latest message, as the NLU found it: the pattern's match (its one definition is
    data/nlu/regexes.yml) before whatever span the model proposed."""
    found = [e for e in latest_entities(tracker) if e.get("entity") == "application_number" and e.get("value")]
    found.sort(key=lambda e: e.get("extractor") != "RegexEntityExtractor")
    return str(found[0]["value"]).strip().upper() if found else None


async def field_catalog() -> dict[str, dict[str, Any]]:
    """Field definitions from the API (id → definition); the API client caches them."""
    return await api.fields()


async def all_question_ids() -> set[str]:
    """Every guiding question id of every scenario (their slots are cleared on a new start or cancel)."""
    return {q["id"] for sc in await api.scenarios() for q in sc["questions"]}


def looks_like_question(message: str) -> bool:
    return bool(_QUESTION_WORDS.search(message))


@lru_cache(maxsize=1)
def _cues() -> dict[str, dict[str, list[str]]]:
    with Path(__file__).with_name("interruptions.yml").open(encoding="utf-8") as fh:
        table = yaml.safe_load(fh)
    return {
        intent: {mode: [answer_words(str(w)) for w in words] for mode, words in modes.items()}
        for intent, modes in table.items()
    }


def has_cue(intent: str, message: str) -> bool:
    """Whether the message says `intent` in its own words (actions/interruptions.yml)."""
    cues = _cues().get(intent)
    if not cues:
        return False
    words = answer_words(message)
    bare = words.rstrip(_FILLERS + "!?") or words
    return (
        bare in cues.get("whole", [])
        or words in cues.get("whole", [])
        or any(cue in words for cue in cues.get("contains", []))
    )


def is_interruption(tracker: Tracker) -> bool:
    """Inside a form: is the latest message clearly something other than an answer? Only then do
    the rules take over (answer the question, hand off, cancel…); everything else is validated as
    the answer to the pending question, and an invalid one is asked again, never guessed."""
    intent, _ = latest_intent(tracker)
    message = tracker.latest_message.get("text") or ""
    if intent in QUESTION_INTENTS:
        return looks_like_question(message)
    if intent == "start_scenario":  # switching only on an explicit request naming a scenario
        named = any(e.get("entity") == "scenario" for e in latest_entities(tracker))
        return named and has_cue(intent, message)
    if intent == "check_status" and application_number(tracker):
        return True
    return intent is not None and has_cue(intent, message)


def is_plain_yes(tracker: Tracker) -> bool:
    """'是/对/好的' (or the affirm intent): the answer to "您是说 9 平方米吗？"."""
    intent, confidence = latest_intent(tracker)
    words = answer_words(tracker.latest_message.get("text") or "").rstrip(_FILLERS)
    return words in _YES or (intent == "affirm" and confidence >= 0.8 and len(words) <= 6)


def pending_suggestion(tracker: Tracker, slot: str | None) -> Any:
    """The value offered back for `slot` ("您是说 9 平方米吗？"), if any."""
    pending = tracker.get_slot("pending_value") or {}
    return pending.get("value") if slot and pending.get("slot") == slot else None


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
    """The conversation, keyed with the server secret: trainers can group misses, nobody can link them."""
    return keyed_hash("sender", tracker.sender_id)[:32]


def display(field: dict[str, Any], value: Any) -> str:
    """A stored value as the citizen reads it: choice labels, yes/no, units, masking."""
    rule = field["validator"]
    if rule["kind"] == "choice":
        return next((c["label"] for c in rule["choices"] if c["value"] == value), str(value))
    if rule["kind"] == "bool":
        return text("yes" if value else "no")
    if rule["kind"] == "number" and rule.get("unit"):
        return f"{value}{rule['unit']}"
    # the citizen checks their own name and address; numbers that identify them are masked
    return mask_value(rule["kind"], value) if rule["kind"] in ("id_number", "phone", "bank_account") else str(value)


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
        named = _fields_named_in(message, form_fields, fields)[:1]
    if not named:
        return None, None
    field_id = named[0]
    kind = fields[field_id]["validator"]["kind"]
    value = next((e["value"] for e in values if ENTITY_KINDS[e["entity"]] == kind), None)
    if value is None:
        match = _CORRECTION_VALUE.search(message)
        value = match.group(1).strip() if match else None
    return field_id, value or None


def _fields_named_in(message: str, form_fields: list[str], fields: dict[str, dict[str, Any]]) -> list[str]:
    """Form fields the message names by label, alias, or the label's last word ("地址" for 联系地址),
    the longest mention first (the NLU's `field` entity can miss a word said inside a sentence)."""
    before_value = _CORRECTION_VALUE.split(message)[0] if _CORRECTION_VALUE.search(message) else message
    found: list[tuple[int, int, str]] = []
    for order, fid in enumerate(form_fields):
        field = fields.get(fid) or {}
        label = re.sub(r"（.*?）", "", field.get("label", ""))
        words = [label, *(field.get("aliases") or []), label[-2:]]
        best = max((len(w) for w in words if len(w) >= 2 and w in before_value), default=0)
        if best:
            found.append((-best, order, fid))
    return [fid for _, _, fid in sorted(found)]


def derived_slots(field_id: str, result: dict[str, Any], fields: dict[str, dict[str, Any]]) -> list[SlotSet]:
    """Slots derived from a validated value (birth date and gender from the ID number)."""
    derived = result.get("derived", {})
    return [
        SlotSet(fid, derived[f["derived_from"]["key"]])
        for fid, f in fields.items()
        if f.get("derived_from") and f["derived_from"]["field"] == field_id and f["derived_from"]["key"] in derived
    ]
