"""Schemathesis against the API's OpenAPI document, on the running stack (the chat endpoint talks to
the real Rasa): whatever a stranger sends, no operation answers with a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.bot.conftest import BotStack

EXAMPLES = 30  # per operation


def test_no_operation_answers_a_server_error(bot: BotStack) -> None:
    schema = schemathesis.openapi.from_url(f"{bot.api['url']}/openapi.json")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case) -> None:
            case.call_and_validate(checks=[not_a_server_error], timeout=60)

        try:
            fuzz()
        except Exception as exc:  # collected, reported all together below
            failures[operation.label] = str(exc)[:600]
    assert not failures, failures
