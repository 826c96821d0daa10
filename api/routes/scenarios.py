"""Scenario catalog and plan computation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.catalog.models import Question, Scenario
from api.deps import CatalogDep, ScenarioDep
from api.engine.answers import resolve_answer
from api.engine.plan import compute_plan
from api.errors import ApiError
from api.validation.result import result_view

# Routes that do no I/O are `async`: they run on the event loop, with no hop to the thread pool.
router = APIRouter(prefix="/scenarios", tags=["scenarios"])


class PlanRequest(BaseModel):
    answers: dict[str, Any] = Field(default_factory=dict, max_length=50)


def question_view(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"id": q.id, "label": q.label, "type": q.type, "default": q.default, "help": q.help}
    rule = q.validator
    if rule.kind == "choice":
        out["choices"] = [{"value": c.value, "label": c.label, "synonyms": c.synonyms} for c in rule.choices]
    if rule.kind == "number":
        out.update(unit=rule.unit, min=rule.min, max=rule.max)
    return out


def scenario_summary(sc: Scenario) -> dict[str, Any]:
    return {
        "id": sc.id,
        "name": sc.name,
        "subject": sc.subject,
        "process": sc.process,
        "summary": sc.summary,
        "aliases": sc.aliases,
        "keywords": sc.keywords,
    }


@router.get("")
async def list_scenarios(catalog: CatalogDep) -> list[dict[str, Any]]:
    """List all scenarios (一件事) with their guiding questions (one call gives a client all it asks)."""
    return [
        {**scenario_summary(sc), "questions": [question_view(q) for q in sc.questions]}
        for sc in catalog.scenarios.values()
    ]


@router.get("/{scenario_id}")
async def read_scenario(scenario: ScenarioDep) -> dict[str, Any]:
    """One scenario with its guiding questions and items."""
    return {
        **scenario_summary(scenario),
        "questions": [question_view(q) for q in scenario.questions],
        "items": [it.model_dump() for it in scenario.items],
        "sources": scenario.sources,
    }


class AnswerRequest(BaseModel):
    value: str | int | float | bool | None = Field(default=None)


@router.post("/{scenario_id}/questions/{question_id}/validate")
async def validate_answer(scenario: ScenarioDep, question_id: str, body: AnswerRequest, catalog: CatalogDep) -> dict:
    """One guiding answer read as the plan would read it, without computing the plan."""
    question = next((q for q in scenario.questions if q.id == question_id), None)
    if question is None:
        raise ApiError(404, "question_not_found", f"场景“{scenario.name}”没有这个问题。")
    return result_view(resolve_answer(question, body.value, catalog))


@router.post("/{scenario_id}/plan")
async def plan_scenario(scenario: ScenarioDep, body: PlanRequest, catalog: CatalogDep) -> dict[str, Any]:
    """Compute the plan: applicable items, stages, merged form, materials and saving."""
    return compute_plan(scenario, body.answers, catalog)  # AnswersInvalid → 422 (api/errors.py)
