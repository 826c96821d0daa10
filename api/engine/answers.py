"""Guiding answers: normalise what the citizen said, fill unanswered questions with defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.catalog.loader import Catalog
from api.catalog.models import Scenario
from api.validation.normalize import answer_words
from api.validation.validate import validate_rule


@dataclass(frozen=True)
class ResolvedAnswers:
    values: dict[str, Any]
    assumed: list[str]
    errors: dict[str, str]
    unknown: list[str]
    suggestions: dict[str, Any] = field(default_factory=dict)


def resolve_answers(scenario: Scenario, raw: Mapping[str, Any], catalog: Catalog) -> ResolvedAnswers:
    """Validate each given answer by its question's rule. A question not answered, or answered
    "不清楚/跳过/按默认", takes its default; a blank answer is an error, never a default."""
    values: dict[str, Any] = {}
    assumed: list[str] = []
    errors: dict[str, str] = {}
    suggestions: dict[str, Any] = {}
    for q in scenario.questions:
        given = raw.get(q.id)
        if given is None or (isinstance(given, str) and answer_words(given) in catalog.unsure_words):
            values[q.id] = q.default
            assumed.append(q.id)
            continue
        result = validate_rule(q.validator, given, q.label.rstrip("？?"), catalog)
        if result.valid:
            values[q.id] = result.value
        else:
            errors[q.id] = result.message
            if result.suggestion is not None:
                suggestions[q.id] = result.suggestion
    known = {q.id for q in scenario.questions}
    return ResolvedAnswers(values, assumed, errors, sorted(k for k in raw if k not in known), suggestions)
