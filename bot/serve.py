"""Start Rasa with the action server's answers checked by a validator built once.

Usage is Rasa's own: `python -m bot.serve run --model … --endpoints …` (scripts/run_all.sh,
the tests and bench/bench_bot.py start the server this way).

Rasa 3.6 checks every answer of the action server against its JSON Schema with
`jsonschema.validate`, which first re-checks that (large, constant) schema against the
meta-schema and builds a new validator: 3.4 ms per action call here, where validating the answer
itself takes 0.4 ms. A form turn makes one or two action calls. This module replaces only
`RemoteAction._validate_action_result` with the same check (same schema, the same "best match"
error and message) using a validator that is built, and whose schema is checked, once.
tests/bot_components/test_serve.py compares it with Rasa's own on valid and invalid answers.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


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


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def main() -> None:
    from rasa.__main__ import main as rasa_main

    install()
    rasa_main()


if __name__ == "__main__":
    main()
