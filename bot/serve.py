"""Start Rasa with two fixes for its per-turn latency: a validator of action answers built once,
and the loaded model kept out of the garbage collector's full passes.

Usage is Rasa's own: `python -m bot.serve run --model … --endpoints …` (scripts/run_all.sh,
the tests and bench/bench_bot.py start the server this way).

Rasa 3.6 checks every answer of the action server against its JSON Schema with
`jsonschema.validate`, which first re-checks that (large, constant) schema against the
meta-schema and builds a new validator: 3.4 ms per action call here, where validating the answer
itself takes 0.4 ms. A form turn makes one or two action calls. This module replaces only
`RemoteAction._validate_action_result` with the same check (same schema, the same "best match"
error and message) using a validator that is built, and whose schema is checked, once.
tests/bot_components/test_serve.py compares it with Rasa's own on valid and invalid answers.

Once the model is loaded, the Rasa process holds millions of long-lived objects (TensorFlow,
Keras, the domain), and every full collection of Python's cyclic garbage collector walks them all:
330–350 ms here, landing on whichever citizen's turn triggers it. `gc.freeze()` after loading moves
them to the permanent generation, which collections skip (CPython's documented use of freeze for
long-running servers); new objects are collected as before.

It also makes the server safe to run next to a public API (see README "安全"):

- `rasa run` listens on 127.0.0.1 unless `--interface`/`RASA_INTERFACE` says otherwise, and its
  HTTP API always requires a token: `RASA_AUTH_TOKEN` (or the file named by
  `RASA_AUTH_TOKEN_FILE`), otherwise one generated at start-up. The token is never accepted on the
  command line (where `ps` shows it), and a CORS wildcard is refused.
- A message longer than `textnorm.MAX_MESSAGE_CHARS` is answered with `utter_message_too_long`
  and never reaches the NLU or the tracker.
- An action that fails (the action server down, or raising) answers `utter_action_failed`
  instead of leaving the citizen with no reply; what the citizen entered stays in the tracker.
- When the tracker database cannot be reached, the turn fails (the API's chat endpoint answers
  503, "请稍后再试", and the citizen's next try goes through) instead of Rasa's default of carrying
  on with an empty in-memory conversation, which would forget everything entered and lose the
  message.
"""

from __future__ import annotations

import functools
import gc
import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.trackers import DialogueStateTracker

from privacy import install_log_masking
from textnorm import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)
_rasa_load_agent_on_start: Any = None  # Rasa's own, once install() has replaced it
_rasa_handle_message: Any = MessageProcessor.handle_message
_rasa_remote_run: Any = RemoteAction.run


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Rasa's RemoteAction._validate_action_result with a validator built once."""
    error: ValidationError | None = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


async def load_agent_then_freeze(*args: Any, **kwargs: Any) -> Any:
    """Rasa's load_agent_on_start, then the loaded objects moved out of the collector's way."""
    agent = await _rasa_load_agent_on_start(*args, **kwargs)
    gc.collect()
    gc.freeze()
    logger.info("Loaded model kept out of garbage collection (%d objects).", gc.get_freeze_count())
    return agent


async def handle_message_within_limit(self: MessageProcessor, message: Any) -> Any:
    """Rasa's handle_message, except that an oversized message is answered without being read."""
    if message.text is None or len(message.text) <= MAX_MESSAGE_CHARS:
        return await _rasa_handle_message(self, message)
    logger.warning("Refused a message of %d characters (limit %d).", len(message.text), MAX_MESSAGE_CHARS)
    tracker = DialogueStateTracker.from_events(message.sender_id, [], slots=self.domain.slots)
    response = await self.nlg.generate("utter_message_too_long", tracker, message.output_channel.name())
    if response:
        await message.output_channel.send_response(message.sender_id, response)
    return getattr(message.output_channel, "messages", None)


async def run_remote_action_or_apologise(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> Any:
    """Rasa's RemoteAction.run; when the action server fails, the citizen still gets a reply."""
    try:
        return await _rasa_remote_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise
    except Exception as exc:  # any failure of the action server ends here, logged
        logger.error("Action %s failed (%s); the citizen is asked to say it again.", self.name(), type(exc).__name__)
        response = await nlg.generate("utter_action_failed", tracker, output_channel.name())
        if not response:
            raise
        return [create_bot_utterance(response)]


def fail_the_turn(self: FailSafeTrackerStore, error: Exception) -> None:
    """Replaces FailSafeTrackerStore's switch to an empty in-memory store: the error propagates."""
    logger.error("Tracker store unavailable (%s): this turn fails and nothing is forgotten.", type(error).__name__)
    raise error


def auth_token(env: dict[str, str]) -> str:
    """The token Rasa's HTTP API requires: from the environment, a file, or generated now."""
    token = env.get("RASA_AUTH_TOKEN", "").strip()
    if not token and env.get("RASA_AUTH_TOKEN_FILE"):
        token = Path(env["RASA_AUTH_TOKEN_FILE"]).read_text(encoding="utf-8").strip()
    return token or secrets.token_urlsafe(32)


def secure_run_argv(argv: list[str], env: dict[str, str]) -> list[str]:
    """`rasa run` arguments with loopback by default and the token added from the environment.

    Changing sys.argv inside the process does not change what `ps` shows (the exec arguments)."""
    if len(argv) < 2 or argv[1] != "run":
        return argv
    if "--auth-token" in argv or any(a.startswith("--auth-token=") for a in argv):
        sys.exit("bot.serve: pass the token as RASA_AUTH_TOKEN or RASA_AUTH_TOKEN_FILE, never on the command line")
    if "--cors" in argv or any(a.startswith("--cors=") for a in argv):
        sys.exit("bot.serve: no --cors: browsers reach the bot only through the API's chat endpoint")
    extra = [f"--auth-token={auth_token(env)}"]  # one argument: a token may begin with "-"
    if not {"-i", "--interface"} & set(argv):
        extra += ["--interface", env.get("RASA_INTERFACE", "127.0.0.1")]
    return [*argv, *extra]


def install() -> None:
    global _rasa_load_agent_on_start
    import rasa.core.run

    install_log_masking()  # Rasa logs message texts on failures: never a citizen's ID or phone
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    RemoteAction.run = run_remote_action_or_apologise  # type: ignore[method-assign]
    MessageProcessor.handle_message = handle_message_within_limit  # type: ignore[method-assign]
    FailSafeTrackerStore.on_tracker_store_error = fail_the_turn  # type: ignore[method-assign]
    if rasa.core.run.load_agent_on_start is not load_agent_then_freeze:
        _rasa_load_agent_on_start = rasa.core.run.load_agent_on_start
        rasa.core.run.load_agent_on_start = load_agent_then_freeze


def main() -> None:
    from rasa.__main__ import main as rasa_main

    install()
    sys.argv = secure_run_argv(sys.argv, dict(os.environ))
    rasa_main()


if __name__ == "__main__":
    main()
