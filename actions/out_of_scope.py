"""The honest answer to what this assistant does not handle: it cannot do it here, where to go
(the department when the message names a topic of actions/referrals.yml, and 12345), and what it
can do. Never a yes, a scenario or a hand-off."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiUnavailable, api
from actions.texts import text
from textnorm import answer_words

# The ScenarioFinder's score of "about no scenario" above which a question that names no scenario
# is answered as out of scope rather than with "which scenario do you mean?" (set on the held-out set).
OUT_OF_SCOPE_NONE = 0.5


@lru_cache(maxsize=1)
def referrals() -> list[dict[str, Any]]:
    with Path(__file__).with_name("referrals.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def department_for(message: str) -> str | None:
    """The department of the first topic the message names, or None."""
    words = answer_words(message)
    for entry in referrals():
        if any(answer_words(str(w)) in words for w in entry["words"]):
            return entry["department"]
    return None


async def out_of_scope_answer(dispatcher: CollectingDispatcher, message: str) -> None:
    department = department_for(message)
    where = text("out_of_scope_department", department=department) if department else text("out_of_scope_hotline")
    try:
        names = "、".join(sc["name"] for sc in await api.scenarios())
    except ApiUnavailable:
        names = text("capabilities_fallback")
    dispatcher.utter_message(text=text("out_of_scope", where=where, names=names))


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        await out_of_scope_answer(dispatcher, tracker.latest_message.get("text") or "")
        return []
