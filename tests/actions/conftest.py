"""Action tests run in the bot environment (rasa-sdk) against the real API process.

The API URL is fixed when actions.settings is imported, so it is set before any action module
is imported (the fixture below runs first in the session)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ApiProcess


@pytest.fixture(scope="session", autouse=True)
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    process = ApiProcess(tmp_path_factory.mktemp("api"))
    process.start()
    os.environ["API_URL"] = process["url"]
    try:
        yield process
    finally:
        process.stop()


def make_tracker(
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    confidence: float = 0.95,
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender: str = "test-sender",
    extra: dict[str, Any] | None = None,
):
    """A tracker as Rasa sends it while `active_loop` handles a fresh user message."""
    from rasa_sdk import Tracker

    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    return Tracker(
        sender_id=sender,
        slots={"requested_slot": None, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "metadata": {"channel": "mobile"},
            **(extra or {}),
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )
