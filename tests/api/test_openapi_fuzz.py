"""Schemathesis against the API's OpenAPI document, in-process: every answer of the catalog, plan,
validation, application and misses routes is what the document says — its status code is declared,
its body matches the declared schema — for generated requests and for real plans, validations and
submissions of every scenario; and none is a server error."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from serversecret import internal_token
from tests.api.test_api import ANSWERS, FORM
from tests.conftest import ROOT, migrate

EXAMPLES = 25  # per operation
PREFIXES = ("/api/scenarios", "/api/fields", "/api/applications", "/api/nlu")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory):
    from api.main import create_app
    from api.settings import Settings

    url = f"sqlite:///{Path(tmp_path_factory.mktemp('fuzz')) / 'api.sqlite3'}"
    migrate(url)
    # Generated lookups and corrections would use up the per-client lookup limits that the real
    # answers below need; the limits themselves are tested in tests/api/test_safety.py.
    lenient = {"LIMIT_LOOKUPS_PER_CLIENT": "100000/minute", "LIMIT_FAILED_LOOKUPS_PER_CLIENT": "100000/minute"}
    app = create_app(Settings(DATABASE_URL=url, DATA_DIR=ROOT / "data", **lenient))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(schema) -> list:
    return [op for op in (r.ok() for r in schema.get_all_operations()) if op.path.startswith(PREFIXES)]


def test_every_route_declares_its_answers(schema) -> None:
    operations = _operations(schema)
    assert len(operations) == 10  # catalog 4, validation 2, applications 3 (submit, status, correction), misses 1
    for op in operations:
        responses = op.definition.raw["responses"]
        success = next(code for code in responses if code.startswith("2"))
        body = responses[success]["content"]["application/json"]["schema"]
        assert body not in ({}, {"type": "object"}, {"additionalProperties": True, "type": "object"}), op.label
        for code, declared in responses.items():
            if not code.startswith("2"):  # errors are {code, message, details}, FastAPI's 422 included
                assert declared["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}


def test_generated_requests_get_documented_answers(schema) -> None:
    failures: dict[str, str] = {}
    for operation in _operations(schema):

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # collected, reported all together below
            failures[operation.label] = str(exc)[:800]
    assert not failures, failures


def test_real_answers_match_the_document(schema, catalog) -> None:
    """Generated ids are mostly unknown: the 200s of every scenario, field and submission are checked here."""
    ops = {op.label: op for op in _operations(schema)}

    def call(label: str, expected: int, **kwargs):
        response = ops[label].Case(**kwargs).call_and_validate(checks=CHECKS)
        assert response.status_code == expected, (label, kwargs, response.text[:300])
        return response.json()

    call("GET /api/scenarios", 200)
    call("GET /api/fields", 200)
    for sc in catalog.scenarios.values():
        path = {"scenario_id": sc.id}
        call("GET /api/scenarios/{scenario_id}", 200, path_parameters=path)
        yes = {q.id: True for q in sc.questions if q.validator.kind == "bool"}
        for answers in ({}, yes):
            call("POST /api/scenarios/{scenario_id}/plan", 200, path_parameters=path, body={"answers": answers})
        for q in sc.questions:
            label = "POST /api/scenarios/{scenario_id}/questions/{question_id}/validate"
            for value in ("不清楚", "看情况吧"):
                call(label, 200, path_parameters={**path, "question_id": q.id}, body={"value": value})
    for field in catalog.fields.values():
        for value in (field.example, "x"):
            call(
                "POST /api/fields/{field_id}/validate",
                200,
                path_parameters={"field_id": field.id},
                body={"value": value},
            )
    body = {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "channel": "web"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    created = call("POST /api/applications", 201, body=body, headers=key)
    call("POST /api/applications", 200, body=body, headers=key)
    path = {"number": created["number"]}
    call("GET /api/applications/{number}", 200, path_parameters=path, query={"phone": "13612345678"})
    internal = {"X-Internal-Token": internal_token()}
    call("POST /api/nlu/misses", 201, body={"text": "我想办护照", "sender_hash": "abcdef012345"}, headers=internal)
