"""What the Rasa server reports to the trainer inbox after each turn: messages it was unsure of
(top intent below a threshold, or too close to the second; outside forms), messages that fell back, and in-form
answers the form refused again and again — each with the top three intents, the conversation
state (scenario, active form, requested slot) and the reply the bot gave.

Why here, in the tracker store (bot/tracker_store.py calls `InboxReporter.after_save`):
- an unsure message is often acted upon by a rule with no custom action running, so the action
  server never sees it; the tracker store sees every turn, once, complete — the user event with
  its parse data, the state before it and the bot's reply after it;
- a Rasa event broker would see the same events, but one at a time without the tracker (the state
  would have to be rebuilt per conversation), and Rasa reads the whole previous tracker back from
  the store for every turn it streams: an extra database read per turn;
- the report is posted in a background task after the turn is saved: no latency for the citizen,
  and an unreachable API costs a log line, never a turn.

The action server also reports fallbacks it handles (actions/misc_actions.py); both send Rasa's
message id, and the API merges the two reports of one turn. Thresholds are set in bot/endpoints.yml
(`inbox_min_confidence`, `inbox_min_margin`, `inbox_reasks`). Text is masked here (privacy) with
the personal values this conversation gave, and again by the API, and bounded in size.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from privacy import mask_text
from serversecret import internal_token, keyed_hash

log = logging.getLogger(__name__)

FALLBACK_INTENT = "nlu_fallback"
FALLBACK_ACTIONS = frozenset({"action_record_miss", "action_default_fallback"})
REQUESTED_SLOT = "requested_slot"
MAX_TEXT, MAX_REPLY = 1000, 2000  # what POST /api/nlu/misses accepts


@dataclass(frozen=True)
class Thresholds:
    min_confidence: float
    min_margin: float
    reasks: int


def _last_user(events: Sequence[Event]) -> int | None:
    return next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), None)


def _slot_before(events: Sequence[Event], index: int, slot: str) -> Any:
    return next((e.value for e in reversed(events[:index]) if isinstance(e, SlotSet) and e.key == slot), None)


def _loop_before(events: Sequence[Event], index: int) -> str | None:
    for e in reversed(events[:index]):
        if e.type_name == "active_loop":
            return getattr(e, "name", None)
    return None


def _refused(turn: Sequence[Event], slot: str | None) -> bool:
    """The form set the slot it asked for back to None in this turn (its validator refused it)."""
    if not slot:
        return False
    last = next((e for e in reversed(turn) if isinstance(e, SlotSet) and e.key == slot), None)
    return last is not None and last.value is None


def refusals_in_a_row(events: Sequence[Event], user_index: int, at_most: int = 100) -> int:
    """How many user turns in a row, ending with this one, answered the same requested slot and had
    the answer refused (counted up to `at_most`)."""
    slot = _slot_before(events, user_index, REQUESTED_SLOT)
    count, end = 0, len(events)
    index: int | None = user_index
    while index is not None and slot and count < at_most:
        if _slot_before(events, index, REQUESTED_SLOT) != slot or not _refused(events[index + 1 : end], slot):
            break
        count += 1
        end = index
        index = _last_user(events[:index])
    return count


def turn_report(
    tracker: DialogueStateTracker, limits: Thresholds, known: Callable[[], Sequence[str]]
) -> dict[str, Any] | None:
    """The body of POST /api/nlu/misses for the latest turn, or None when it was understood.
    `known` gives the conversation's personal values to mask (read only when a report is due)."""
    events = list(tracker.events)
    index = _last_user(events)
    if index is None:
        return None
    user: UserUttered = events[index]
    turn = events[index + 1 :]
    text = (user.text or "").strip()
    if not text or text.startswith("/"):  # empty, or a button's payload
        return None
    parse = user.parse_data or {}
    ranking = [
        {"name": r["name"], "confidence": round(float(r.get("confidence") or 0), 4)}
        for r in parse.get("intent_ranking") or []
        if r.get("name") and r["name"] != FALLBACK_INTENT
    ][:3]
    requested = _slot_before(events, index, REQUESTED_SLOT)
    loop = _loop_before(events, index)
    kind = None
    if refusals_in_a_row(events, index, limits.reasks) >= limits.reasks:
        kind = "reasked"
    elif FALLBACK_INTENT in ((parse.get("intent") or {}).get("name"), parse.get("intent_before_finder")) or any(
        isinstance(e, ActionExecuted) and e.action_name in FALLBACK_ACTIONS for e in turn
    ):
        kind = "fallback"
    elif loop and requested:
        # an in-form answer: the form's validator is the judge, not the intent classifier (an answer
        # refused once is ordinary; twice in a row is reported above)
        return None
    elif ranking and ranking[0]["confidence"] < limits.min_confidence:
        kind = "low_confidence"
    elif len(ranking) > 1 and ranking[0]["confidence"] - ranking[1]["confidence"] < limits.min_margin:
        kind = "ambiguous"
    if kind is None:
        return None
    reply = "\n".join(e.text for e in turn if isinstance(e, BotUttered) and e.text)
    personal = known()
    best = ranking[0] if ranking else None
    return {
        "text": mask_text(text, personal)[:MAX_TEXT],
        "sender_hash": keyed_hash("sender", tracker.sender_id)[:32],
        "intent": best and best["name"],
        "confidence": best and best["confidence"],
        "kind": kind,
        "ranking": ranking,
        "scenario": _short(tracker.get_slot("scenario")),
        "requested_slot": _short(requested),
        "active_loop": _short(loop),
        "reply": mask_text(reply, personal)[:MAX_REPLY] or None,
        "message_id": _short(user.message_id),
    }


def _short(value: Any) -> str | None:
    return str(value)[:64] if value else None


class InboxReporter:
    """Posts turn reports to the API in the background (one pooled client per event loop)."""

    def __init__(self, limits: Thresholds, api_url: str | None = None, timeout: float = 5.0) -> None:
        self.limits = limits
        self.api_url = (api_url or os.environ.get("API_URL", "http://127.0.0.1:8000")).rstrip("/")
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task] = set()

    def after_save(self, tracker: DialogueStateTracker, known: Callable[[], Sequence[str]]) -> None:
        try:
            body = turn_report(tracker, self.limits, known)
        except Exception:  # a report must never break a turn
            log.exception("trainer inbox: could not read the turn")
            return
        if body is None:
            return
        task = asyncio.get_running_loop().create_task(self._post(body, tracker.sender_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, body: dict[str, Any], conversation: str) -> None:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client, self._loop = httpx.AsyncClient(base_url=self.api_url, timeout=self.timeout), loop
        headers = {"X-Internal-Token": internal_token(), "X-Conversation": conversation[:128]}
        try:
            resp = await self._client.post("/api/nlu/misses", json=body, headers=headers)
            if resp.status_code >= 300:
                log.warning("trainer inbox: the API answered %s", resp.status_code)
        except httpx.HTTPError as exc:
            log.warning("trainer inbox: report not sent (%s)", type(exc).__name__)
