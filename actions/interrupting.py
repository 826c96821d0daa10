"""Inside a form, when a message is not an answer: the intent thresholds, the question words and the
cue words of actions/interruptions.yml."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from rasa_sdk import Tracker

from actions.slots import application_number, latest_entities, latest_intent
from textnorm import answer_words

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
