"""Guiding answers: normalise what the citizen said, fill unanswered questions with defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from api.catalog.loader import Catalog
from api.catalog.models import Question, Scenario
from api.validation.normalize import answer_words
from api.validation.result import Valid, ValidationResult
from api.validation.validate import validate_rule


@dataclass(frozen=True)
class ResolvedAnswers:
    values: dict[str, Any]
    assumed: list[str]
    errors: dict[str, str]
    unknown: list[str]
    suggestions: dict[str, Any] = field(default_factory=dict)


def is_unsure(given: Any, catalog: Catalog) -> bool:
    """Not answered, or "不清楚/跳过/按默认": the question takes its default."""
    return given is None or (isinstance(given, str) and answer_words(given) in catalog.unsure_words)


def resolve_answer(question: Question, given: Any, catalog: Catalog) -> ValidationResult:
    """One guiding answer, as resolve_answers reads it: its default when unsure, else its rule's value."""
    if is_unsure(given, catalog):
        return Valid(question.default)
    return validate_rule(question.validator, given, question.label.rstrip("？?"), catalog)


def resolve_answers(scenario: Scenario, raw: Mapping[str, Any], catalog: Catalog) -> ResolvedAnswers:
    """Validate each given answer by its question's rule. A question not answered, or answered
    "不清楚/跳过/按默认", takes its default; a blank answer is an error, never a default."""
    values: dict[str, Any] = {}
    assumed: list[str] = []
    errors: dict[str, str] = {}
    suggestions: dict[str, Any] = {}
    for q in scenario.questions:
        given = raw.get(q.id)
        if is_unsure(given, catalog):
            values[q.id] = q.default
            assumed.append(q.id)
            continue
        result = resolve_answer(q, given, catalog)
        if result.valid:
            values[q.id] = result.value
        else:
            errors[q.id] = result.message
            if result.suggestion is not None:
                suggestions[q.id] = result.suggestion
    known = {q.id for q in scenario.questions}
    return ResolvedAnswers(values, assumed, errors, sorted(k for k in raw if k not in known), suggestions)
