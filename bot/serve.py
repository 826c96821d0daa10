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
"""

from __future__ import annotations

import functools
import gc
import logging
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

logger = logging.getLogger(__name__)
_rasa_load_agent_on_start: Any = None  # Rasa's own, once install() has replaced it


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


def install() -> None:
    global _rasa_load_agent_on_start
    import rasa.core.run

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    if rasa.core.run.load_agent_on_start is not load_agent_then_freeze:
        _rasa_load_agent_on_start = rasa.core.run.load_agent_on_start
        rasa.core.run.load_agent_on_start = load_agent_then_freeze


def main() -> None:
    from rasa.__main__ import main as rasa_main

    install()
    rasa_main()


if __name__ == "__main__":
    main()
