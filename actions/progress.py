"""What the bot reports beside its replies, never shown to the citizen: how far the conversation got
(for the supervisors' funnel; the API's chat route keeps the furthest step per session), and the
conversation as it stood at submission (masked, for the reviewer)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.slots import personal_values
from privacy import mask_text

TRANSCRIPT_LINES = 200  # the most recent lines kept; the API refuses more
TRANSCRIPT_CHARS = 500  # per line


def report_progress(dispatcher: CollectingDispatcher, step: str, scenario: str | None) -> None:
    """step: scenario_found | questions_answered | form_complete (api/db/chat_sessions.PROGRESS_STEPS)."""
    dispatcher.utter_message(json_message={"progress": step, "scenario": scenario or ""})


def transcript(tracker: Tracker, fields: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """The citizen's and the bot's messages so far, oldest first, with every personal value this
    citizen gave (and whatever looks like an ID, phone or card number) masked."""
    known = personal_values(tracker, fields)
    lines = []
    for event in tracker.events:
        kind = event.get("event")
        said = str(event.get("text") or "").strip()
        if kind in ("user", "bot") and said and not said.startswith("/"):
            lines.append({"from": kind, "text": mask_text(said, known)[:TRANSCRIPT_CHARS]})
    return lines[-TRANSCRIPT_LINES:]
