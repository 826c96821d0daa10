"""Guiding answers: normalise what the citizen said, fill unanswered questions with defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.catalog.loader import Catalog
from api.catalog.models import Scenario
from api.validation.validate import validate_rule


@dataclass(frozen=True)
class ResolvedAnswers:
    values: dict[str, Any]
    assumed: list[str]
    errors: dict[str, str]
    unknown: list[str]


def resolve_answers(scenario: Scenario, raw: Mapping[str, Any], catalog: Catalog) -> ResolvedAnswers:
    """Validate each given answer by its question's rule; unanswered questions take their default."""
    values: dict[str, Any] = {}
    assumed: list[str] = []
    errors: dict[str, str] = {}
    for q in scenario.questions:
        given = raw.get(q.id)
        if given is None or (isinstance(given, str) and not given.strip()):
            values[q.id] = q.default
            assumed.append(q.id)
            continue
        result = validate_rule(q.validator, given, q.label.rstrip("？?"), catalog)
        if result.valid:
            values[q.id] = result.value
        else:
            errors[q.id] = result.message
    known = {q.id for q in scenario.questions}
    return ResolvedAnswers(values, assumed, errors, sorted(k for k in raw if k not in known))
